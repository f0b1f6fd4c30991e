using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>Turns a verb body into a System.CommandLine action with the CLI's exit codes: 0 ok, 1 user error, 2 unexpected failure.</summary>
internal static class CliAction
{
    public const int Ok = 0;
    public const int UserError = 1;
    public const int UnexpectedFailure = 2;

    public static void Set(Command command, CliServices services, Option<string> configOption, Func<CliContext, Task<int>> body)
        => command.SetAction((parseResult, cancellationToken) => RunAsync(new CliContext(parseResult, services, configOption, cancellationToken), body));

    private static async Task<int> RunAsync(CliContext context, Func<CliContext, Task<int>> body)
    {
        try
        {
            return await body(context).ConfigureAwait(false);
        }
        catch (CliUserException exception)
        {
            await context.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            foreach (var detail in exception.Details)
            {
                await context.Error.WriteLineAsync($"  - {detail}").ConfigureAwait(false);
            }

            return UserError;
        }
        catch (ReleaseStoreException exception)
        {
            await context.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return UserError;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("error: cancelled").ConfigureAwait(false);
            return UserError;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Permission denied, disk full, a folder in the way…: the system's message names the path and the cause,
            // and the fix is the user's, so one line and exit 1 rather than a stack trace.
            await context.Error.WriteLineAsync($"error: {DescribeFileSystemFailure(exception)}").ConfigureAwait(false);
            return UserError;
        }
        catch (Exception exception)
        {
            await context.Error.WriteLineAsync($"unexpected failure: {exception}").ConfigureAwait(false);
            return UnexpectedFailure;
        }
    }

    /// <summary>One line: the system's message (which names the path) and the inner cause when it adds one.</summary>
    internal static string DescribeFileSystemFailure(Exception exception)
    {
        var message = FirstLine(exception.Message).TrimEnd('.');
        if (exception.InnerException is { Message: { Length: > 0 } inner } && FirstLine(inner).TrimEnd('.') is { Length: > 0 } cause
            && !message.Contains(cause, StringComparison.Ordinal))
        {
            message += $" ({cause})";
        }

        var hint = exception is UnauthorizedAccessException
            ? "check the permissions of that path"
            : "check the path, its permissions and the free disk space";
        return $"{message}; {hint}";
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}

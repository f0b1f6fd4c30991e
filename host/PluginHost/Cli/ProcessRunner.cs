using System.Diagnostics;

namespace PluginHost.Cli;

/// <summary>Runs an external program, streaming its output.</summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> to completion and returns its exit code; output and errors go to <paramref name="output"/>.</summary>
    Task<int> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TextWriter output, CancellationToken cancellationToken = default);
}

/// <summary>The real <see cref="IProcessRunner"/>: a child process, killed with its children when cancelled.</summary>
public sealed class ProcessRunner : IProcessRunner
{
    public async Task<int> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);

        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        var gate = new object();
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;

        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                output.WriteLine(line);
            }
        }
    }
}

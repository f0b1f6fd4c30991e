using System.Diagnostics;
using System.Text;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>Runs a program of this machine to its end (bounded), and finds programs and the dotnet host on the PATH.</summary>
public static class ExternalCommand
{
    /// <summary>The dotnet executable running the tests (DOTNET_HOST_PATH, as the SDK sets it), else the one on the PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : Which("dotnet") ?? "dotnet";

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    /// <param name="stdoutOnly">Return standard output alone (standard error too when the program failed).</param>
    /// <param name="workingDirectory">Where the program runs; the test's own working directory when null.</param>
    /// <param name="environment">Variables set (or replaced) for the program.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, bool stdoutOnly = false,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }

        var output = new StringBuilder(await stdout);
        if (!stdoutOnly || process.ExitCode != 0)
        {
            output.Append(await stderr);
        }

        return (process.ExitCode, output.ToString());
    }
}

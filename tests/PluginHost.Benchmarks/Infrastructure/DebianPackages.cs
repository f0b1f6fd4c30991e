namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>Load tools from Debian's packages: found on PATH, or installed with apt-get when the suite runs as root.</summary>
public static class DebianPackages
{
    /// <summary>The path of <paramref name="program"/>, installing <paramref name="package"/> first when it is missing.</summary>
    public static async Task<string> EnsureAsync(string program, string package, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Executables.Find(program) is { } found)
        {
            return found;
        }

        if (Environment.UserName != "root")
        {
            throw new BenchException($"{program} is not installed and the suite is not running as root: install it with 'sudo apt-get install -y {package}', or run with --quick.");
        }

        await log.WriteLineAsync($"{program} is missing: apt-get install -y {package}");
        var (code, output) = await ChildProcess.RunAsync("apt-get", ["install", "-y", package], TimeSpan.FromMinutes(5), cancellationToken);
        if (code != 0)
        {
            await log.WriteLineAsync("apt-get install failed; refreshing the package lists once (apt-get update) and retrying");
            await ChildProcess.RunAsync("apt-get", ["update"], TimeSpan.FromMinutes(5), cancellationToken);
            (code, output) = await ChildProcess.RunAsync("apt-get", ["install", "-y", package], TimeSpan.FromMinutes(5), cancellationToken);
        }

        return Executables.Find(program) ?? throw new BenchException($"Could not install {package} (apt-get exited with {code}):\n{output}");
    }
}

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// Throughput runs put the server on one CPU and wrk on another (taskset), for the server and its baseline alike.
/// On a small shared machine this removes most of the run-to-run noise that comes from the scheduler moving the
/// server, its thread pool and the load generator across the same cores.
/// </summary>
/// <param name="ServerCpus">taskset CPU list for the server processes.</param>
/// <param name="LoadCpus">taskset CPU list for wrk.</param>
public sealed record CpuPinning(string ServerCpus, string LoadCpus)
{
    /// <summary>CPU 0 for servers, CPU 1 for wrk; null when there are fewer than 2 CPUs or no taskset.</summary>
    public static CpuPinning? Detect() =>
        Environment.ProcessorCount >= 2 && Executables.Find("taskset") is not null ? new CpuPinning("0", "1") : null;

    /// <summary>The command line that runs <paramref name="fileName"/> on <paramref name="cpus"/>.</summary>
    public static (string FileName, IEnumerable<string> Arguments) Wrap(string? cpus, string fileName, IEnumerable<string> arguments) =>
        cpus is null ? (fileName, arguments) : ("taskset", ["-c", cpus, fileName, .. arguments]);
}

/// <summary>Looks programs up on PATH.</summary>
public static class Executables
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

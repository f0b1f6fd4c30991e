using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;

namespace PluginHost.Benchmarks.Sections;

/// <summary>One throughput run against a server: what the load measured, and the server's CPU time per request.</summary>
public sealed record MeasuredRun(LoadResult Load, double CpuMicrosecondsPerRequest)
{
    /// <summary>Loads <paramref name="path"/> of <paramref name="server"/> for <paramref name="duration"/>, reading the server's CPU time around it.</summary>
    public static async Task<MeasuredRun> RunAsync(ILoadGenerator load, ServerProcess server, string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(server);
        var cpuBefore = server.CpuTime();
        var result = await load.RunAsync(server.Url(path), duration, cancellationToken);
        return new MeasuredRun(result, (server.CpuTime() - cpuBefore).TotalMicroseconds / result.Requests);
    }
}

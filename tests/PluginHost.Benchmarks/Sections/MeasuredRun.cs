using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;

namespace PluginHost.Benchmarks.Sections;

/// <summary>One throughput run against a server: what the load measured, and the server's CPU time and managed bytes allocated per request.</summary>
/// <param name="BytesPerRequest">NaN where the server does not tell what it allocated (<see cref="ServerProcess.AllocatedBytesAsync"/>).</param>
public sealed record MeasuredRun(LoadResult Load, double CpuMicrosecondsPerRequest, double BytesPerRequest)
{
    /// <summary>Loads <paramref name="path"/> of <paramref name="server"/> for <paramref name="duration"/>, reading the server's CPU time and allocations around it.</summary>
    public static async Task<MeasuredRun> RunAsync(ILoadGenerator load, ServerProcess server, string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(server);
        var allocatedBefore = await server.AllocatedBytesAsync(cancellationToken);
        var cpuBefore = server.CpuTime();
        var result = await load.RunAsync(server.Url(path), duration, cancellationToken);
        var cpu = server.CpuTime() - cpuBefore;
        var allocatedAfter = await server.AllocatedBytesAsync(cancellationToken);
        var bytes = allocatedBefore is { } before && allocatedAfter is { } after ? (double)(after - before) / result.Requests : double.NaN;
        return new MeasuredRun(result, cpu.TotalMicroseconds / result.Requests, bytes);
    }
}

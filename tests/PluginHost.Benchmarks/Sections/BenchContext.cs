using System.Diagnostics;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;

namespace PluginHost.Benchmarks.Sections;

/// <summary>What every section gets: sizes, builds, the load generator and a progress log.</summary>
/// <param name="load">Load for runs that measure failures and latency: any CPU.</param>
/// <param name="throughputLoad">Load for runs that compare throughput: on <paramref name="pinning"/>'s load CPUs when pinned.</param>
/// <param name="pinning">Where throughput runs put servers and load, or null to let the scheduler decide.</param>
public sealed class BenchContext(BenchSizes sizes, BenchPaths paths, ILoadGenerator load, ILoadGenerator throughputLoad, CpuPinning? pinning, TextWriter log)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public BenchSizes Sizes { get; } = sizes;
    public BenchPaths Paths { get; } = paths;
    public ILoadGenerator Load { get; } = load;
    public ILoadGenerator ThroughputLoad { get; } = throughputLoad;
    public CpuPinning? Pinning { get; } = pinning;

    public void Progress(string message) =>
        log.WriteLine($"[{Stopwatch.GetElapsedTime(_started):mm\\:ss}] {message}");

    /// <summary>
    /// A deployment of the sample ReportingApi at /api/v1 in two versions: v1, and v2 whose ReportingApi.Aggregation.dll
    /// is the sum-v2 build. Production points at v1.
    /// </summary>
    public Deployment NewReportingDeployment() => NewDeployment(deployment =>
    {
        deployment.AddReportingApi("v1", "ReportingApi");
        deployment.AddReportingApi("v2", "ReportingApi", aggregationV2: true);
        deployment.Promote("v1");
        deployment.WriteConfig([BenchApp.Reporting("ReportingApi", "/api/v1")], Sizes.Debounce);
    });

    /// <summary>A new deployment that <paramref name="setUp"/> fills; deleted again when that fails.</summary>
    public Deployment NewDeployment(Action<Deployment> setUp)
    {
        ArgumentNullException.ThrowIfNull(setUp);
        var deployment = new Deployment(Paths);
        try
        {
            setUp(deployment);
            return deployment;
        }
        catch
        {
            deployment.Dispose();
            throw;
        }
    }
}

/// <summary>One numbered part of the suite.</summary>
public interface IBenchSection
{
    int Number { get; }
    string Key { get; }
    string Title { get; }

    /// <summary>What a reader needs to read the section's figures, printed below the table.</summary>
    IReadOnlyList<string> Notes => [];

    Task<IReadOnlyList<Reporting.BenchRow>> RunAsync(CancellationToken cancellationToken);
}

namespace PluginHost.Benchmarks.Load;

/// <summary>What one load run measured.</summary>
/// <param name="Requests">Completed requests (any status).</param>
/// <param name="RequestsPerSecond">Completed requests per second.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="Non2xx">Responses with a status of 400 or more (wrk's "Non-2xx or 3xx responses").</param>
/// <param name="SocketErrors">Connect, read, write errors and timeouts.</param>
public sealed record LoadResult(long Requests, double RequestsPerSecond, double P50Ms, double P99Ms, long Non2xx, long SocketErrors)
{
    public long Failures => Non2xx + SocketErrors;
}

/// <summary>Drives requests at one URL for a while, at a fixed number of connections.</summary>
public interface ILoadGenerator
{
    /// <summary>Named in the table, with its settings.</summary>
    string Description { get; }

    Task<LoadResult> RunAsync(Uri url, TimeSpan duration, CancellationToken cancellationToken = default);
}

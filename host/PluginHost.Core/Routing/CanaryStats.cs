namespace PluginHost.Core.Routing;

/// <summary>Requests, 5xx answers and total latency of one side of a canary; recorded without locks.</summary>
public sealed class CanarySideStats
{
    private long _requests;
    private long _serverErrors;
    private long _latencyTicks;

    public long Requests => Interlocked.Read(ref _requests);
    public long ServerErrors => Interlocked.Read(ref _serverErrors);
    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    public void Record(int statusCode, TimeSpan elapsed)
    {
        if (statusCode >= 500)
        {
            Interlocked.Increment(ref _serverErrors);
        }

        Interlocked.Add(ref _latencyTicks, elapsed.Ticks);
        Interlocked.Increment(ref _requests);
    }
}

/// <summary>The canary's and the stable release's traffic since the canary started.</summary>
public sealed class CanaryStats
{
    public CanarySideStats Canary { get; } = new();
    public CanarySideStats Stable { get; } = new();

    public CanarySideStats Side(bool onCanary) => onCanary ? Canary : Stable;
}

/// <summary>The automatic abort: the canary's 5xx share over at least <see cref="MinRequests"/> above <see cref="MaxErrorRate"/> percent.</summary>
public sealed record CanaryGuard(double? MaxErrorRate, int MinRequests)
{
    /// <summary>Why the canary must be aborted, or null while it may go on.</summary>
    public string? Verdict(CanarySideStats canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        if (MaxErrorRate is not { } max)
        {
            return null;
        }

        var requests = canary.Requests;
        var errors = canary.ServerErrors;
        if (requests < MinRequests || errors * 100.0 <= max * requests)
        {
            return null;
        }

        return FormattableString.Invariant(
            $"{errors} of {requests} canary requests answered 5xx ({errors * 100.0 / requests:0.#}%), over canary.maxErrorRate {max:0.##}%");
    }
}

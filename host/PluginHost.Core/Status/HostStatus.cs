using System.Text.Json;
using System.Text.Json.Serialization;
using PluginHost.Core.Certificates;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Status;

public sealed record HostStatus(
    DateTimeOffset Now,
    string? Version,
    long? Generation,
    IReadOnlyList<AppStatus> Apps,
    ReloadResult? LastReload,
    IReadOnlyList<ReloadResult> Reloads,
    long CollectedGenerations,
    IReadOnlyList<RetiredStatus> RetiredAlive)
{
    public ProcessMemory? Memory { get; init; }

    /// <summary>The log sinks' buffers: events waiting and events dropped because a buffer was full.</summary>
    public LoggingStatus Logging { get; init; } = new(0, []);

    /// <summary>The certificates of the https URLs: expiry, and a refused replacement of their files.</summary>
    public IReadOnlyList<CertificateStatus> Certificates { get; init; } = [];

    /// <summary>Generations on their way out (draining, aborting, stopping), before their contexts are unloaded.</summary>
    public IReadOnlyList<RetiringStatus> Retiring { get; init; } = [];

    /// <summary>Generations held loaded and warm without serving: the rollback standby and a prepared promote.</summary>
    public IReadOnlyList<StandbyStatus> Standbys { get; init; } = [];

    /// <summary>The running canary ('promote V --canary'), or null.</summary>
    public CanaryStatus? Canary { get; init; }

    /// <summary>Worker processes started ahead for process apps' next reloads; null when no app runs in a worker.</summary>
    public SparesStatus? Spares { get; init; }
}

/// <param name="Waiting">Spare workers started and waiting for an app.</param>
/// <param name="Ready">Of them, those that have rehearsed: a reload that takes one starts warm.</param>
public sealed record SparesStatus(int Waiting, int Ready);

/// <param name="Share">Percent of new clients put on the canary.</param>
/// <param name="Header">The header that forces a request onto it (NAME or NAME=VALUE), or null.</param>
/// <param name="Canary">The canary's traffic since it started.</param>
/// <param name="Stable">Production's traffic since the canary started.</param>
public sealed record CanaryStatus(string Version, long Generation, double Share, string? Header, DateTimeOffset Since, CanaryTraffic Canary, CanaryTraffic Stable);

/// <param name="ServerErrors">Answers with a 5xx status.</param>
/// <param name="ErrorRate">ServerErrors in percent of Requests (0 without requests).</param>
/// <param name="MeanLatencyMs">Mean time to answer, in milliseconds.</param>
public sealed record CanaryTraffic(long Requests, long ServerErrors, double ErrorRate, double MeanLatencyMs)
{
    public static CanaryTraffic Of(Routing.CanarySideStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var requests = stats.Requests;
        return requests == 0
            ? new CanaryTraffic(0, 0, 0, 0)
            : new CanaryTraffic(requests, stats.ServerErrors, Math.Round(stats.ServerErrors * 100.0 / requests, 2),
                Math.Round(stats.Latency.TotalMilliseconds / requests, 3));
    }
}

/// <param name="Role">previous (the rollback standby) or prepared ('promote --prepare').</param>
/// <param name="Fresh">Its release folder and config.yaml are unchanged since it was built: a swap to it loads nothing.</param>
/// <param name="AssemblyBytes">
/// The release's managed assemblies, which each generation reads into memory: a lower bound of what it holds (its
/// containers, caches and JIT-compiled code come on top; the benchmark measures the whole).
/// </param>
/// <param name="InFlight">Requests that entered it before it stopped serving and are still running.</param>
public sealed record StandbyStatus(string Version, long Generation, string Role, DateTimeOffset Since, bool Fresh, long AssemblyBytes, long InFlight);

/// <param name="State">draining, aborting or stopping (see <see cref="Generations.RetirementState"/>).</param>
/// <param name="Seconds">Since it retired.</param>
public sealed record RetiringStatus(string Version, long Generation, string State, long Seconds, IReadOnlyList<RetiringAppStatus> Apps);

/// <param name="InFlight">Requests (and long-lived connections) still running.</param>
/// <param name="OldestPath">The longest-running of them, and its age.</param>
public sealed record RetiringAppStatus(string App, long InFlight, string? OldestPath, long? OldestSeconds);

/// <param name="Dropped">Log events dropped since start, all sinks together.</param>
/// <param name="Buffers">One per sink (console, file); none when the host's logger has no buffers.</param>
public sealed record LoggingStatus(long Dropped, IReadOnlyList<LogBufferStatus> Buffers);

public sealed record AppStatus(
    string Name,
    string Mount,
    IReadOnlyList<string> Hosts,
    string Version,
    long Generation,
    DateTimeOffset LoadedAt,
    long LoadMs,
    long InFlight,
    long Requests,
    int RetiredAlive,
    int Leaked)
{
    /// <summary>The app's own health checks as {admin}/readyz last ran them for this generation (null before).</summary>
    public AppHealth? Health { get; init; }

    /// <summary>For a process app (<c>isolation: process</c>): its worker process; null for an app in the host's process.</summary>
    public WorkerStatus? Worker { get; init; }
}

/// <summary>A process app's worker: pid, memory and uptime while it runs, and what its generation's supervisor did so far.</summary>
/// <param name="Restarts">Workers of this generation that died and were started again.</param>
/// <param name="Recycles">Workers replaced for recycle.maxRequests or recycle.maxMemory.</param>
/// <param name="Requests">Requests the current worker has been sent.</param>
/// <param name="State">serving, restarting (a dead worker's successor is starting) or stopped.</param>
public sealed record WorkerStatus(int? Pid, long? RssBytes, long? UptimeSeconds, int Restarts, int Recycles, long Requests, string State);

/// <param name="HeldBy">For a leaked generation, once analysed: what holds it (GC root, then each reference).</param>
public sealed record RetiredStatus(string App, string Version, long Generation, string State, IReadOnlyList<string> HeldBy);

/// <summary>Source-generated: the host never serializes through shared reflection caches.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(HostStatus))]
[JsonSerializable(typeof(ReloadResult))]
[JsonSerializable(typeof(Readiness))]
public sealed partial class StatusJsonContext : JsonSerializerContext;

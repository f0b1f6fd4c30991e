using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// Reloads a host serving a deployment of an app in versions v1 and v2 (e.g. <see cref="Sections.BenchContext.NewReportingDeployment"/>)
/// the way a deploy does: point production at the other version (v1 ⇄ v2) and touch the trigger; then polls the app's
/// version path until a new instance of the app answers it (<see cref="ServedInstance"/>).
/// </summary>
/// <param name="versionPath">Where the app says which instance answered: <c>{ version, generation }</c> unless <paramref name="read"/> says otherwise.</param>
/// <param name="read">Reads the version path's answer; <see cref="ServedInstance.FromVersionAndGeneration"/> when null.</param>
public sealed class Reloader(ServerProcess host, Deployment deployment, TimeSpan pollEvery, string versionPath = "/api/v1/version",
    Func<JsonElement, ServedInstance>? read = null)
{
    private readonly Func<JsonElement, ServedInstance> _read = read ?? ServedInstance.FromVersionAndGeneration;
    private string _version = "v1";
    private ServedInstance _served = new("v1", 0, "");

    /// <summary>The host's generation of the last instance seen, for apps that report it (0 for one that does not).</summary>
    public long Generation => _served.Generation;

    /// <summary>
    /// Settled also means the host's spare workers have rehearsed (status <c>spares</c>): the next deploy finds one ready, as
    /// deploys minutes apart do. Off, a deploy may come while the spare started by the previous one is still rehearsing.
    /// </summary>
    public bool WaitForReadySpares { get; init; }

    /// <summary>The wall-clock time of the last deploy (just before the link flip), to line it up with the host's own timestamps.</summary>
    public DateTime LastDeployUtc { get; private set; }

    /// <summary>The wall-clock time the last deploy's version first answered.</summary>
    public DateTime LastServedUtc { get; private set; }

    public async Task InitAsync(CancellationToken cancellationToken = default)
    {
        _served = await ServedAsync(cancellationToken);
        _version = _served.Version ?? _version;
    }

    /// <summary>Deploys the other version and returns the time from the deploy to its first answer.</summary>
    public async Task<TimeSpan> ReloadAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        return await WaitServedAsync(Flip(), started, timeout, cancellationToken);
    }

    /// <summary>Points production at the other version and touches the trigger, without waiting; returns that version.</summary>
    public string Flip()
    {
        var target = _version == "v1" ? "v2" : "v1";
        LastDeployUtc = DateTime.UtcNow;
        deployment.Promote(target);
        deployment.Touch();
        _version = target;
        return target;
    }

    /// <summary>Waits until the version of the last <see cref="Flip"/> is served (the deploy may still be reloading).</summary>
    public Task WaitForLastDeployAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitServedAsync(_version, Stopwatch.GetTimestamp(), timeout, cancellationToken);

    /// <summary>
    /// Polls until an instance other than the last one seen (a newer generation) serves <paramref name="target"/>, or
    /// any version when the app cannot tell its releases apart; returns the time since <paramref name="started"/>.
    /// </summary>
    private async Task<TimeSpan> WaitServedAsync(string target, long started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var before = _served;
        while (true)
        {
            var served = await ServedAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (served.Instance != before.Instance && (served.Version ?? target) == target)
            {
                _served = served;
                LastServedUtc = DateTime.UtcNow;
                return elapsed;
            }

            if (elapsed > timeout)
            {
                host.EnsureRunning();
                throw new BenchException($"{target} was not served within {timeout.TotalSeconds:0} s of the deploy (still {served}).");
            }

            await Task.Delay(pollEvery, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every retired generation has been collected (status: no retiredAlive, at least
    /// <paramref name="collected"/> collected), or every one still alive was reported leaked and explained (its
    /// <c>heldBy</c> chains are in status: waiting longer changes nothing), or the bound passes; returns the last status read.
    /// A host whose apps all run in worker processes (<c>isolation: process</c>) loads no app code of its own, so none of its
    /// generations is ever collected: it has settled once no retired generation is still retiring (its workers stopped).
    /// </summary>
    public async Task<JsonElement> WaitSettledAsync(long collected, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await host.StatusAsync(cancellationToken);
            var alive = status.GetProperty("retiredAlive").EnumerateArray().ToList();
            var inWorkers = status.GetProperty("apps").EnumerateArray().All(a => a.TryGetProperty("worker", out var worker) && worker.ValueKind == JsonValueKind.Object);
            var settled = alive.Count == 0 && (inWorkers
                ? status.GetProperty("retiring").GetArrayLength() == 0 && (!WaitForReadySpares || SparesReady(status))
                : status.GetProperty("collectedGenerations").GetInt64() >= collected);
            var explainedLeaks = alive.Count > 0 && alive.All(r => r.GetProperty("state").GetString() == "Leaked" && r.GetProperty("heldBy").GetArrayLength() > 0);
            if (settled || explainedLeaks || Stopwatch.GetElapsedTime(started) > bound)
            {
                return status;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static bool SparesReady(JsonElement status) =>
        status.TryGetProperty("spares", out var spares) && spares.ValueKind == JsonValueKind.Object
        && spares.GetProperty("waiting").GetInt32() > 0 && spares.GetProperty("ready").GetInt32() == spares.GetProperty("waiting").GetInt32();

    private async Task<ServedInstance> ServedAsync(CancellationToken cancellationToken)
    {
        JsonElement info;
        try
        {
            info = await host.Client.GetFromJsonAsync<JsonElement>(versionPath, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // A host that died says why (its last output), rather than the client's "connection reset".
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            host.EnsureRunning();
            throw;
        }

        return _read(info);
    }
}

/// <summary>Which instance of an app answered its version path, and from which release when the app can tell.</summary>
/// <param name="Version">The release (v1, v2), or null when both releases are the same build and the app cannot tell them apart.</param>
/// <param name="Generation">The host's generation, for an app that reports it; 0 otherwise.</param>
/// <param name="Instance">Differs for every instance of the app: a new one answering means the deploy is served.</param>
public sealed record ServedInstance(string? Version, long Generation, string Instance)
{
    /// <summary><c>{ version, generation }</c>: the suite's plugins, which get both from their <c>PluginContext</c>.</summary>
    public static ServedInstance FromVersionAndGeneration(JsonElement answer)
    {
        var generation = answer.GetProperty("generation").GetInt64();
        return new(answer.GetProperty("version").GetString() ?? "", generation, generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>{ version, generation }</c> of a process app (<c>isolation: process</c>): the generation it reports is its worker's,
    /// not the host's, so the instance is told by both together (the deploys alternate v1 ⇄ v2) and no host generation is claimed.
    /// </summary>
    public static ServedInstance FromVersionInWorker(JsonElement answer)
    {
        var version = answer.GetProperty("version").GetString() ?? "";
        return new(version, 0, version + "/" + answer.GetProperty("generation").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>{ startedAt }</c>: an unmodified app, which knows nothing of the host and its releases; each generation runs its
    /// Main anew, so each instance has its own start time.
    /// </summary>
    public static ServedInstance FromStartedAt(JsonElement answer) =>
        new(null, 0, answer.GetProperty("startedAt").GetString() ?? throw new BenchException($"The version path answered no startedAt: {answer}"));
}

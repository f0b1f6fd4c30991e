using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// Reloads a host serving a deployment of an app in versions v1 and v2 (e.g. <see cref="Sections.BenchContext.NewReportingDeployment"/>)
/// the way a deploy does: point production at the other version (v1 ⇄ v2) and touch the trigger; then polls the app's
/// version path (<c>{ version, generation }</c>) until the new generation answers.
/// </summary>
/// <param name="versionPath">Where the app answers <c>{ version, generation }</c>.</param>
public sealed class Reloader(ServerProcess host, Deployment deployment, TimeSpan pollEvery, string versionPath = "/api/v1/version")
{
    private string _version = "v1";
    private long _generation;

    public long Generation => _generation;

    /// <summary>The wall-clock time of the last deploy (just before the link flip), to line it up with the host's own timestamps.</summary>
    public DateTime LastDeployUtc { get; private set; }

    /// <summary>The wall-clock time the last deploy's version first answered.</summary>
    public DateTime LastServedUtc { get; private set; }

    public async Task InitAsync(CancellationToken cancellationToken = default) =>
        (_version, _generation) = await ServedAsync(cancellationToken);

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

    /// <summary>Polls until a generation newer than the last one seen serves <paramref name="target"/>; returns the time since <paramref name="started"/>.</summary>
    private async Task<TimeSpan> WaitServedAsync(string target, long started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var before = _generation;
        while (true)
        {
            var (version, generation) = await ServedAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (generation > before && version == target)
            {
                _generation = generation;
                LastServedUtc = DateTime.UtcNow;
                return elapsed;
            }

            if (elapsed > timeout)
            {
                host.EnsureRunning();
                throw new BenchException($"{target} was not served within {timeout.TotalSeconds:0} s of the deploy (still {version}, generation {generation}).");
            }

            await Task.Delay(pollEvery, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every retired generation has been collected (status: no retiredAlive, at least
    /// <paramref name="collected"/> collected), or every one still alive was reported leaked and explained (its
    /// <c>heldBy</c> chains are in status: waiting longer changes nothing), or the bound passes; returns the last status read.
    /// </summary>
    public async Task<JsonElement> WaitSettledAsync(long collected, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await host.StatusAsync(cancellationToken);
            var alive = status.GetProperty("retiredAlive").EnumerateArray().ToList();
            var settled = alive.Count == 0 && status.GetProperty("collectedGenerations").GetInt64() >= collected;
            var explainedLeaks = alive.Count > 0 && alive.All(r => r.GetProperty("state").GetString() == "Leaked" && r.GetProperty("heldBy").GetArrayLength() > 0);
            if (settled || explainedLeaks || Stopwatch.GetElapsedTime(started) > bound)
            {
                return status;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private async Task<(string Version, long Generation)> ServedAsync(CancellationToken cancellationToken)
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

        return (info.GetProperty("version").GetString() ?? "", info.GetProperty("generation").GetInt64());
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// Reloads a host serving <see cref="Sections.BenchContext.NewReportingDeployment"/> the way a deploy does: point
/// production at the other version (v1 ⇄ v2) and touch the trigger; then polls GET /api/v1/version until the new
/// generation answers.
/// </summary>
public sealed class Reloader(ServerProcess host, Deployment deployment, TimeSpan pollEvery)
{
    private string _version = "v1";
    private long _generation;

    public long Generation => _generation;

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
    /// <paramref name="collected"/> collected), or the bound passes; returns the last status read.
    /// </summary>
    public async Task<JsonElement> WaitSettledAsync(long collected, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await host.StatusAsync(cancellationToken);
            var settled = status.GetProperty("retiredAlive").GetArrayLength() == 0
                && status.GetProperty("collectedGenerations").GetInt64() >= collected;
            if (settled || Stopwatch.GetElapsedTime(started) > bound)
            {
                return status;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private async Task<(string Version, long Generation)> ServedAsync(CancellationToken cancellationToken)
    {
        var info = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/version", cancellationToken);
        return (info.GetProperty("version").GetString() ?? "", info.GetProperty("generation").GetInt64());
    }
}

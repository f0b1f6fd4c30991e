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
        var before = _generation;
        var started = Stopwatch.GetTimestamp();
        var target = Flip();
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
    public async Task WaitForLastDeployAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while ((await ServedAsync(cancellationToken)).Version != _version)
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                host.EnsureRunning();
                throw new BenchException($"{_version} was not served within {timeout.TotalSeconds:0} s of the last deploy.");
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

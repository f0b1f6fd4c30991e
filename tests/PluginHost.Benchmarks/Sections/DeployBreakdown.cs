using System.Text.Json;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// One deploy cut into what the host's status can tell without a trace (bench and host share the machine's UTC clock):
/// noticing it (the link flip → the reload starting: file events, the settle delay, the coordinator picking it up), the
/// host's own reload (start → swap: config read, release resolved, apps loaded, built and warmed up), of which the app's
/// load and build (<c>apps[0].loadMs</c>), and the swap → the bench's next poll answered by the new generation.
/// </summary>
/// <param name="ExtraReloads">Reloads the deploy caused besides the one that served it (0 when the flip and touch counted once).</param>
public sealed record DeployBreakdown(double NoticedMs, double ReloadMs, double LoadMs, double SwapToServedMs, int ExtraReloads)
{
    /// <summary>The reload that served <paramref name="reloader"/>'s last deploy, from the host's status read after it settled.</summary>
    public static DeployBreakdown Of(Reloader reloader, JsonElement status)
    {
        ArgumentNullException.ThrowIfNull(reloader);
        return Of(reloader.Generation, reloader.LastDeployUtc, reloader.LastServedUtc, status);
    }

    /// <summary>
    /// The reload that made <paramref name="generation"/> serve, deployed at <paramref name="deployedUtc"/> and first seen
    /// answering at <paramref name="servedUtc"/>, from the host's status read after it settled.
    /// </summary>
    public static DeployBreakdown Of(long generation, DateTime deployedUtc, DateTime servedUtc, JsonElement status)
    {
        var reloads = status.GetProperty("reloads").EnumerateArray().ToList();
        var served = reloads.FirstOrDefault(r => r.GetProperty("generation").ValueKind == JsonValueKind.Number
            && r.GetProperty("generation").GetInt64() == generation && r.GetProperty("ok").GetBoolean());
        if (served.ValueKind != JsonValueKind.Object)
        {
            return new DeployBreakdown(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        var swapped = served.GetProperty("at").GetDateTimeOffset().UtcDateTime;
        var duration = served.GetProperty("durationMs").GetInt64();
        var started = swapped - TimeSpan.FromMilliseconds(duration);
        // Reloads recorded after the one that served the deploy, before the bench deployed again: the deploy's own extras.
        var extra = reloads.Count(r => r.GetProperty("at").GetDateTimeOffset().UtcDateTime > swapped);
        var load = status.GetProperty("generation").GetInt64() == generation
            ? status.GetProperty("apps")[0].GetProperty("loadMs").GetInt64()
            : double.NaN;
        return new DeployBreakdown((started - deployedUtc).TotalMilliseconds, duration, load, (servedUtc - swapped).TotalMilliseconds, extra);
    }

    /// <summary>The medians of each part over the deploys, and the deploys that caused more than one reload.</summary>
    /// <param name="subject">Put before each row's name, e.g. the kind of deploy.</param>
    public static IEnumerable<BenchRow> Rows(int section, IReadOnlyList<DeployBreakdown> deploys, string subject = "")
    {
        ArgumentNullException.ThrowIfNull(deploys);
        double Median(Func<DeployBreakdown, double> part) => Percentile(part, 50);
        double P99(Func<DeployBreakdown, double> part) => Percentile(part, 99);
        double Percentile(Func<DeployBreakdown, double> part, double percent) =>
            deploys.Select(part).Where(v => !double.IsNaN(v)).ToList() is { Count: > 0 } measured ? Stats.Percentile(measured, percent) : double.NaN;
        yield return new(section, subject + "Breakdown, medians: flip → reload started / host's reload (of which app load + build) / swap → served",
            Fmt.F($"{Fmt.Ms(Median(d => d.NoticedMs))} / {Fmt.Ms(Median(d => d.ReloadMs))} ({Fmt.Ms(Median(d => d.LoadMs))}) / {Fmt.Ms(Median(d => d.SwapToServedMs))}"));
        yield return new(section, subject + "Breakdown, p99: flip → reload started / host's reload / swap → served",
            Fmt.F($"{Fmt.Ms(P99(d => d.NoticedMs))} / {Fmt.Ms(P99(d => d.ReloadMs))} / {Fmt.Ms(P99(d => d.SwapToServedMs))}"));
        yield return new(section, subject + "Deploys that caused a second reload", Fmt.F($"{deploys.Count(d => d.ExtraReloads > 0)} of {deploys.Count}"));
    }
}

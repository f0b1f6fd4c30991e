using System.Text.Json;
using System.Text.RegularExpressions;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Profiling;

/// <summary>One reload of a diagnostic run, on the bench's and the host's clocks (both UTC wall time).</summary>
/// <param name="Deployed">Just before the link flip.</param>
/// <param name="Served">When the new version first answered the bench.</param>
/// <param name="Swapped">status lastReload.at: the host published the new generation.</param>
/// <param name="DurationMs">status lastReload.durationMs: the reload's start → swap.</param>
/// <param name="LoadMs">status apps[0].loadMs: loading the app's code and building its container and pipeline, before its warm-up.</param>
public sealed record ProfiledReload(DateTime Deployed, DateTime Served, DateTime Swapped, double DurationMs, double LoadMs)
{
    public DateTime Started => Swapped - TimeSpan.FromMilliseconds(DurationMs);

    /// <summary>The last reload of <paramref name="reloader"/>, with the host's status read after it.</summary>
    public static ProfiledReload From(Reloader reloader, JsonElement status)
    {
        ArgumentNullException.ThrowIfNull(reloader);
        var last = status.GetProperty("lastReload");
        return new ProfiledReload(reloader.LastDeployUtc, reloader.LastServedUtc, last.GetProperty("at").GetDateTimeOffset().UtcDateTime,
            last.GetProperty("durationMs").GetInt64(), status.GetProperty("apps")[0].GetProperty("loadMs").GetInt64());
    }
}

/// <summary>
/// The app's methods ("Namespace.Type::Method" patterns) whose first compilation marks where a reload is: the JIT compiles
/// each once per generation, just before it first runs. Methods small enough to be inlined into their callers (a sync action
/// called by MVC's compiled invoker) are never compiled on their own and make poor markers.
/// </summary>
/// <param name="ConfigureServices">The app's IPluginApp.ConfigureServices.</param>
/// <param name="Configure">Its Configure.</param>
/// <param name="LastEndpoint">The endpoint method the last warm-up request reaches (an async action's state machine).</param>
public sealed record ReloadMarkers(Regex ConfigureServices, Regex Configure, Regex LastEndpoint);

/// <summary>A phase of a reload, its time and the JIT's work that started in it.</summary>
public sealed record PhaseTime(string Phase, double Ms, JitTotals Jit);

/// <summary>
/// Cuts one reload, deploy → first answer, into phases: from the host's status (reload start, swap, the app's load time) and
/// the first compilation of the app's own methods in the runtime's JIT events.
/// </summary>
public static class ReloadBreakdown
{
    public const string Whole = "whole reload (host's start → swap)";

    public static IReadOnlyList<PhaseTime> Of(ProfiledReload reload, RuntimeTrace trace, ReloadMarkers markers)
    {
        ArgumentNullException.ThrowIfNull(reload);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(markers);
        var (start, swapped) = (reload.Started, reload.Swapped);
        var firstLoad = trace.FirstAssemblyLoad(start, swapped);
        var configureServices = trace.FirstCompilationOf(markers.ConfigureServices, start, swapped);
        var loads = firstLoad is { } a && configureServices is { } b ? trace.AssemblyLoads(a, b) : 0;
        (string Phase, DateTime? End)[] ends =
        [
            ("deploy noticed: inotify, debounce", start),
            ("config read, release resolved", firstLoad),
            (Fmt.F($"the app's assemblies loaded ({loads} loads), its IPluginApp created"), configureServices),
            ("ConfigureServices, container built", trace.FirstCompilationOf(markers.Configure, start, swapped)),
            // apps[].loadMs counts from just before the first assembly load: the end of the app's Configure, within a millisecond or so.
            ("Configure: the app's start-up work, pipeline built", firstLoad + TimeSpan.FromMilliseconds(reload.LoadMs)),
            ("hosted services started, warm-up requests up to the last one's endpoint", trace.FirstCompilationOf(markers.LastEndpoint, start, swapped)),
            ("last warm-up request's endpoint, readiness check, swap", swapped),
            ("swap → first answer to the bench's poll", reload.Served),
        ];
        var phases = new List<PhaseTime>();
        DateTime? from = reload.Deployed;
        foreach (var (phase, end) in ends)
        {
            // An estimated end a hair before the previous one (clock granularity) makes an empty phase, not a negative one.
            var to = end is { } e && from is { } f && e < f ? f : end;
            phases.Add(from is { } a2 && to is { } b2
                ? new PhaseTime(phase, (b2 - a2).TotalMilliseconds, trace.Jit(a2, b2))
                : new PhaseTime(phase, double.NaN, JitTotals.None));
            from = to;
        }

        phases.Add(new PhaseTime(Whole, reload.DurationMs, trace.Jit(start, swapped)));
        return phases;
    }

    /// <summary>Each phase's median over the reloads (time and JIT alike); phases that could not be measured in a reload are left out of its median.</summary>
    public static IReadOnlyList<PhaseTime> Medians(IEnumerable<IReadOnlyList<PhaseTime>> reloads)
    {
        ArgumentNullException.ThrowIfNull(reloads);
        return reloads.SelectMany(r => r.Select((phase, index) => (phase, index)))
            .GroupBy(p => p.index, p => p.phase)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var measured = g.Where(p => !double.IsNaN(p.Ms)).ToList();
                if (measured.Count == 0)
                {
                    return new PhaseTime(g.Last().Phase, double.NaN, JitTotals.None);
                }

                double Median(Func<PhaseTime, double> figure) => Stats.Median(measured.Select(figure));
                return new PhaseTime(g.Last().Phase, Median(p => p.Ms), new JitTotals(Median(p => p.Jit.Ms), (int)Median(p => p.Jit.Methods),
                    Median(p => p.Jit.DynamicMs), (int)Median(p => p.Jit.DynamicMethods), (int)Median(p => p.Jit.FullyOptimized), Median(p => p.Jit.BackgroundMs)));
            })
            .ToList();
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// Where a process app's reload goes, from the output of a host logging at Information (it logs each line of its workers'
/// output as "&lt;App&gt; worker &lt;pid&gt;: &lt;line&gt;", stamped when it reads it) and its status. Each deploy is cut at: the host's
/// reload starting; the new worker's first line ("Runtime: …", logged as its engine starts, after the runtime, its Main, its
/// config and its web host were built); the worker's own "Loaded &lt;App&gt; … in N ms" (the app loaded, built and warmed up in
/// it) and "Serving …" (its generation swapped in); the first request the host forwards to it (the host's warm-up, once the
/// worker listened and said it was ready); the host's "Loaded &lt;App&gt; … generation G in N ms"; the host's swap; and the bench's
/// first answer from the new version.
/// </summary>
public sealed partial class WorkerReloadTimeline
{
    private readonly ConcurrentQueue<(DateTime At, string Text)> _lines = new();
    private readonly string _app;
    private readonly string? _firstRequestMarker;

    /// <param name="host">A host logging at Information, with one process app named <paramref name="app"/>.</param>
    /// <param name="firstRequestMarker">Text of the line the app logs for the host's warm-up request (e.g. "Served version");
    /// null for an app that logs none, whose worker's swap → the host's warm-up done is then one phase.</param>
    public WorkerReloadTimeline(ServerProcess host, string app, string? firstRequestMarker)
    {
        ArgumentNullException.ThrowIfNull(host);
        _app = app;
        _firstRequestMarker = firstRequestMarker;
        host.LineWritten += Add;
    }

    /// <summary>The phases of each deploy cut so far.</summary>
    public List<WorkerReloadPhases> Deploys { get; } = [];

    /// <summary>Cuts the last deploy of <paramref name="reloader"/> with the status read once it settled.</summary>
    public void CutLastDeploy(Reloader reloader, JsonElement status)
    {
        ArgumentNullException.ThrowIfNull(reloader);
        var served = status.GetProperty("reloads").EnumerateArray()
            .Where(r => r.GetProperty("ok").GetBoolean() && r.GetProperty("at").GetDateTimeOffset().UtcDateTime <= reloader.LastServedUtc)
            .MaxBy(r => r.GetProperty("at").GetDateTimeOffset());
        if (served.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var generation = served.GetProperty("generation").GetInt64();
        var swapped = served.GetProperty("at").GetDateTimeOffset().UtcDateTime;
        var started = swapped - TimeSpan.FromMilliseconds(served.GetProperty("durationMs").GetInt64());
        var lines = _lines.ToArray();
        var hostLoaded = lines.FirstOrDefault(l => HostLoaded().Match(l.Text) is { Success: true } m && m.Groups["app"].Value == _app
            && long.Parse(m.Groups["generation"].Value, CultureInfo.InvariantCulture) == generation);
        var runtime = lines.Select(l => (l.At, Match: WorkerLine().Match(l.Text)))
            .FirstOrDefault(l => l.Match.Success && l.At >= started.AddMilliseconds(-20) && l.Match.Groups["text"].Value.StartsWith("Runtime: ", StringComparison.Ordinal));
        if (hostLoaded.Text is null || runtime.Match is null || !runtime.Match.Success)
        {
            return;
        }

        var pid = runtime.Match.Groups["pid"].Value;
        var worker = lines.Select(l => (l.At, Match: WorkerLine().Match(l.Text)))
            .Where(l => l.Match.Success && l.Match.Groups["pid"].Value == pid).Select(l => (l.At, Text: l.Match.Groups["text"].Value)).ToList();
        var workerLoaded = worker.FirstOrDefault(l => WorkerLoaded().IsMatch(l.Text));
        var swappedAt = worker.FindIndex(l => l.Text.StartsWith("Serving ", StringComparison.Ordinal));
        var workerSwapped = swappedAt >= 0 ? worker[swappedAt] : default;
        // The app's own warm-up in the worker logs the same line before its swap; the host's comes after it.
        var firstRequest = swappedAt >= 0 && _firstRequestMarker is { } marker
            ? worker.Skip(swappedAt + 1).FirstOrDefault(l => l.Text.StartsWith(marker, StringComparison.Ordinal))
            : default;
        double Between(DateTime from, DateTime to) => from == default || to == default ? double.NaN : (to - from).TotalMilliseconds;
        Deploys.Add(new WorkerReloadPhases(
            Noticed: Between(reloader.LastDeployUtc, started),
            WorkerStarted: Between(started, runtime.At),
            WorkerAppLoadMs: workerLoaded.Text is { } text ? double.Parse(WorkerLoaded().Match(text).Groups["ms"].Value, CultureInfo.InvariantCulture) : double.NaN,
            WorkerSwapped: Between(runtime.At, workerSwapped.At),
            FirstForwarded: Between(workerSwapped.At, firstRequest.At),
            HostWarmedUp: Between(_firstRequestMarker is null ? workerSwapped.At : firstRequest.At, hostLoaded.At),
            HostSwapped: Between(hostLoaded.At, swapped),
            Served: Between(swapped, reloader.LastServedUtc),
            HostLoadMs: double.Parse(HostLoaded().Match(hostLoaded.Text).Groups["ms"].Value, CultureInfo.InvariantCulture),
            Whole: Between(reloader.LastDeployUtc, reloader.LastServedUtc)));
    }

    /// <summary>The medians (and p99 of the whole) of each phase over the deploys cut.</summary>
    public IEnumerable<BenchRow> Rows(int section)
    {
        double Median(Func<WorkerReloadPhases, double> phase) => Deploys.Select(phase).Where(v => !double.IsNaN(v)).ToList() is { Count: > 0 } values ? Stats.Median(values) : double.NaN;
        var count = Deploys.Count;
        yield return new(section, Fmt.F($"Where a reload goes (diagnostic host at Information, median of {count} deploys): deploy → host's reload started (noticed)"),
            Fmt.Ms(Median(d => d.Noticed)));
        yield return new(section, "… reload started → the new worker's first log line (spawn, runtime start, its Main, config and web host built)", Fmt.Ms(Median(d => d.WorkerStarted)));
        yield return new(section, "… → the worker's generation swapped in (the worker's engine, of it the app's load, build and warm-up: the worker's \"Loaded … in N ms\")",
            Fmt.F($"{Fmt.Ms(Median(d => d.WorkerSwapped))} (of it {Fmt.Ms(Median(d => d.WorkerAppLoadMs))})"));
        if (_firstRequestMarker is not null)
        {
            yield return new(section, "… → the host's first request reaches the app (the worker's Kestrel on its socket, its ready line, the host's probe)", Fmt.Ms(Median(d => d.FirstForwarded)));
        }

        yield return new(section, _firstRequestMarker is null
                ? "… → the worker's ready line, the host's probe and its warm-up through the forwarder done (host's \"Loaded … in N ms\": worker start → warmed up)"
                : "… → the host's warm-up through the forwarder done (host's \"Loaded … in N ms\": worker start → warmed up)",
            Fmt.F($"{Fmt.Ms(Median(d => d.HostWarmedUp))} (host's N: {Fmt.Ms(Median(d => d.HostLoadMs))})"));
        yield return new(section, "… → the host's swap / → the bench's first answer from the new version", Fmt.F($"{Fmt.Ms(Median(d => d.HostSwapped))} / {Fmt.Ms(Median(d => d.Served))}"));
        yield return new(section, "Deploy → new version served in the diagnostic run, median / p99",
            Fmt.F($"{Fmt.Ms(Median(d => d.Whole))} / {Fmt.Ms(count > 0 ? Stats.Percentile(Deploys.Select(d => d.Whole), 99) : double.NaN)}"));
    }

    private void Add(string line)
    {
        if (Stamped().Match(line) is not { Success: true } match)
        {
            return;
        }

        // The host stamps local time of day: put it on the date it was read, a day back across midnight.
        var now = DateTime.Now;
        var at = now.Date + TimeSpan.ParseExact(match.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
        at = at > now.AddMinutes(1) ? at.AddDays(-1) : at;
        _lines.Enqueue((at.ToUniversalTime(), match.Groups["text"].Value));
    }

    [GeneratedRegex(@"^\[(?<time>\d\d:\d\d:\d\d\.\d{3}) \w{3}\] (?<text>.*)$")]
    private static partial Regex Stamped();

    /// <summary>A worker's line as the host relays it (an app tag, "App v1 #3: ", before it is allowed for: it names the app itself).</summary>
    [GeneratedRegex(@"^(?:\S+ \S+ #\d+: )?(?<app>\S+) worker (?<pid>\d+): (?<text>.*)$")]
    private static partial Regex WorkerLine();

    [GeneratedRegex(@"^Loaded \S+ \S+ generation \d+ in (?<ms>\d+) ms")]
    private static partial Regex WorkerLoaded();

    [GeneratedRegex(@"^Loaded (?<app>\S+) \S+ generation (?<generation>\d+) in (?<ms>\d+) ms")]
    private static partial Regex HostLoaded();
}

/// <summary>One deploy of a process app cut into phases, in milliseconds (NaN where a mark was not found).</summary>
public sealed record WorkerReloadPhases(double Noticed, double WorkerStarted, double WorkerAppLoadMs, double WorkerSwapped, double FirstForwarded,
    double HostWarmedUp, double HostSwapped, double Served, double HostLoadMs, double Whole);

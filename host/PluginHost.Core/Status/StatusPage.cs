using PluginHost.Core.Configuration;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Releases;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Status;

/// <summary>
/// The admin surface's HTML page (<c>GET admin.path/</c>): what is served, the releases on disk, the last reloads with a
/// chart of their durations, retired generations still in memory, and the log sinks' buffers with their dropped events. Server-rendered, self-contained (inline CSS and SVG,
/// a few lines of script for auto-refresh), no external resources.
/// </summary>
/// <remarks>
/// The host's uptime counts from when this page was created, read from the injected <see cref="TimeProvider"/>: it is a
/// singleton resolved when the host's middleware is built (through <c>AdminRouting</c>), i.e. while the host starts.
/// </remarks>
public sealed class StatusPage(StatusReporter status, ReloadCoordinator coordinator, TimeProvider timeProvider)
{
    private const int ReloadRows = 15;
    private const int ChartBars = 30;
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private readonly DateTimeOffset _hostStarted = timeProvider.GetUtcNow();
    private readonly ConcurrentDictionary<(string App, long Generation), (long Timestamp, long Requests)> _samples = new();

    public string Render(string adminPath)
    {
        var snapshot = status.Snapshot();
        var config = coordinator.Config;
        var releases = ReleaseOverview.Read(config.Releases.Root, config.Releases.Production);
        var now = snapshot.Now;
        var page = new StringBuilder(16 * 1024);
        page.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>PluginHost status</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
            header{background:#243b53;color:#fff;padding:14px 24px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
            header h1{font-size:20px;margin:0} header .meta{opacity:.85}
            main{padding:8px 24px 24px;display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
            section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:12px 16px}
            section.wide{grid-column:1/-1}
            h2{font-size:15px;margin:0 0 8px;color:#334e68}
            table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef2f7;vertical-align:top}
            th{font-weight:600;color:#486581;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            .badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600}
            .ok{background:#e3f9e5;color:#207227} .failed{background:#ffe3e3;color:#a61b1b} .prod{background:#dceefb;color:#0b4f8a}
            .leaked{background:#fff3c4;color:#8d2b0b} .bad{background:#ffe3e3;color:#a61b1b} .muted{color:#829ab1} .error{color:#a61b1b;font-size:12px}
            pre{background:#f0f4f8;padding:8px;overflow:auto;font-size:12px;margin:8px 0 0}
            code{font-size:13px} a{color:#0b69a3}
            </style></head><body>
            """);
        page.Append("<header><h1>PluginHost</h1><span class=\"meta\">serving <strong id=\"served-version\">")
            .Append(E(snapshot.Version ?? "nothing")).Append("</strong>");
        if (snapshot.Generation is { } generationNumber)
        {
            page.Append(" · generation <strong id=\"served-generation\">").Append(generationNumber).Append("</strong>");
        }

        page.Append(" · host up <span id=\"host-uptime\">").Append(Duration(now - _hostStarted)).Append("</span>")
            .Append(" · ").Append(E(now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))).Append("</span>")
            .Append("<span class=\"meta\"><a style=\"color:#bcccdc\" href=\"").Append(E(adminPath)).Append("/status\">status.json</a> · ")
            .Append("<a style=\"color:#bcccdc\" href=\"").Append(E(adminPath)).Append("/metrics\">metrics</a> · ")
            .Append("<label><input type=\"checkbox\" id=\"auto\"> auto-refresh</label></span></header><main>");

        AppendApps(page, snapshot, now);
        AppendCanary(page, snapshot.Canary, now);
        AppendReloads(page, snapshot.Reloads);
        AppendReleases(page, releases);
        AppendRetired(page, snapshot);
        AppendLogging(page, snapshot.Logging);
        page.Append("""
            </main>
            <script>
            (function(){var box=document.getElementById('auto');box.checked=localStorage.getItem('pluginhost.auto')!=='0';
            box.onchange=function(){localStorage.setItem('pluginhost.auto',box.checked?'1':'0');};
            setInterval(function(){if(box.checked){location.reload();}},5000);})();
            </script></body></html>
            """);
        return page.ToString();
    }

    private void AppendApps(StringBuilder page, HostStatus snapshot, DateTimeOffset now)
    {
        page.Append("<section class=\"wide\" id=\"apps\"><h2>Apps</h2><table><thead><tr><th>App</th><th>Mount</th><th>Version</th>")
            .Append("<th class=\"num\">Generation</th><th class=\"num\">Up</th><th class=\"num\">Req/s</th><th class=\"num\">Requests</th>")
            .Append("<th class=\"num\">In flight</th><th class=\"num\">Load ms</th><th>Health</th><th>Process</th></tr></thead><tbody>");
        if (snapshot.Apps.Count == 0)
        {
            page.Append("<tr><td colspan=\"11\" class=\"muted\">No generation is being served.</td></tr>");
        }

        var timestamp = timeProvider.GetTimestamp();
        foreach (var app in snapshot.Apps)
        {
            var mount = app.Hosts.Count == 0 ? app.Mount : app.Mount + " (" + string.Join(", ", app.Hosts) + ")";
            page.Append("<tr data-app=\"").Append(E(app.Name)).Append("\"><td><strong>").Append(E(app.Name)).Append("</strong></td>")
                .Append("<td><code>").Append(E(mount)).Append("</code></td>")
                .Append("<td class=\"app-version\">").Append(E(app.Version)).Append("</td>")
                .Append("<td class=\"num\">").Append(app.Generation).Append("</td>")
                .Append("<td class=\"num app-up\">").Append(Duration(now - app.LoadedAt)).Append("</td>")
                .Append("<td class=\"num app-rate\">").Append(RequestRate(app, timestamp, now).ToString("0.0", CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"num app-requests\">").Append(app.Requests).Append("</td>")
                .Append("<td class=\"num app-in-flight\">").Append(app.InFlight).Append("</td>")
                .Append("<td class=\"num\">").Append(app.LoadMs).Append("</td>")
                .Append("<td class=\"app-health\" title=\"").Append(E(HealthDetails(app.Health))).Append("\">")
                .Append(E(app.Health?.Status ?? "not checked yet")).Append("</td>")
                .Append("<td class=\"app-worker\">").Append(E(WorkerSummary(app.Worker))).Append("</td></tr>");
        }

        page.Append("</tbody></table></section>");
    }

    /// <summary>"host" for an app in the host's process; a process app's worker pid, memory, uptime, restarts and recycles.</summary>
    private static string WorkerSummary(WorkerStatus? worker) => worker switch
    {
        null => "host",
        { Pid: { } pid } => $"worker {pid}, {(worker.RssBytes ?? 0) / 1048576} MiB, up {Duration(TimeSpan.FromSeconds(worker.UptimeSeconds ?? 0))}, "
            + $"{worker.Restarts} restarts, {worker.Recycles} recycles",
        _ => $"worker {worker.State}, {worker.Restarts} restarts, {worker.Recycles} recycles",
    };

    /// <summary>Each of the app's checks with its status and description (the last {admin}/readyz run).</summary>
    private static string HealthDetails(AppHealth? health) =>
        health is null ? "GET readyz runs the app's health checks" : string.Join("; ", health.Checks.Select(c => $"{c.Name}: {c.Status} {c.Description}".TrimEnd()));

    /// <summary>Requests per second since the previous page view (or since load on the first view of a generation).</summary>
    private double RequestRate(AppStatus app, long timestamp, DateTimeOffset now)
    {
        var key = (app.Name, app.Generation);
        foreach (var stale in _samples.Keys.Where(k => k.App == app.Name && k.Generation != app.Generation))
        {
            _samples.TryRemove(stale, out _);
        }

        if (_samples.TryGetValue(key, out var previous))
        {
            var seconds = timeProvider.GetElapsedTime(previous.Timestamp, timestamp).TotalSeconds;
            if (seconds >= 0.5)
            {
                _samples[key] = (timestamp, app.Requests);
                return (app.Requests - previous.Requests) / seconds;
            }
        }
        else
        {
            _samples[key] = (timestamp, app.Requests);
        }

        var up = (now - app.LoadedAt).TotalSeconds;
        return up > 0 ? app.Requests / up : 0;
    }

    private static void AppendReloads(StringBuilder page, IReadOnlyList<ReloadResult> reloads)
    {
        page.Append("<section id=\"reloads\"><h2>Last reloads</h2>");
        AppendChart(page, reloads.Take(ChartBars).Reverse().ToList());
        page.Append("<table><thead><tr><th>At (UTC)</th><th>Trigger</th><th>Result</th><th class=\"num\">ms</th><th>Version</th><th class=\"num\">Gen</th></tr></thead><tbody>");
        foreach (var reload in reloads.Take(ReloadRows))
        {
            page.Append("<tr><td>").Append(E(reload.At.UtcDateTime.ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td>")
                .Append("<td>").Append(E(reload.Trigger)).Append("</td>")
                .Append("<td>").Append(reload.Ok ? "<span class=\"badge ok\">ok</span>" : "<span class=\"badge failed\">failed</span>").Append("</td>")
                .Append("<td class=\"num reload-ms\">").Append(reload.DurationMs).Append("</td>")
                .Append("<td>").Append(E(reload.Version ?? "")).Append("</td>")
                .Append("<td class=\"num\">").Append(reload.Generation?.ToString(CultureInfo.InvariantCulture) ?? "").Append("</td></tr>");
            if (reload.Error is { } error)
            {
                page.Append("<tr><td></td><td colspan=\"5\" class=\"error reload-error\">").Append(E(error)).Append("</td></tr>");
            }
        }

        page.Append("</tbody></table></section>");
    }

    /// <summary>Bar chart of reload durations, oldest left; failed reloads in red.</summary>
    private static void AppendChart(StringBuilder page, IReadOnlyList<ReloadResult> reloads)
    {
        const int width = 520, height = 110, top = 14, bottom = 18, left = 40;
        var max = Math.Max(1, reloads.Count == 0 ? 1 : reloads.Max(r => r.DurationMs));
        var plot = height - top - bottom;
        var slot = (double)(width - left) / ChartBars;
        var svg = CultureInfo.InvariantCulture;
        page.Append("<svg id=\"reload-chart\" role=\"img\" aria-label=\"Reload durations\" width=\"100%\" viewBox=\"0 0 ")
            .Append(width).Append(' ').Append(height).Append("\" style=\"max-width:").Append(width).Append("px\">")
            .Append("<line x1=\"").Append(left).Append("\" y1=\"").Append(height - bottom).Append("\" x2=\"").Append(width)
            .Append("\" y2=\"").Append(height - bottom).Append("\" stroke=\"#bcccdc\"/>")
            .Append("<text x=\"").Append(left - 4).Append("\" y=\"").Append(top + 4).Append("\" text-anchor=\"end\" font-size=\"10\" fill=\"#627d98\">")
            .Append(max).Append(" ms</text>")
            .Append("<text x=\"").Append(left - 4).Append("\" y=\"").Append(height - bottom).Append("\" text-anchor=\"end\" font-size=\"10\" fill=\"#627d98\">0</text>");
        if (reloads.Count == 0)
        {
            page.Append("<text x=\"").Append(left + 8).Append("\" y=\"").Append(height / 2).Append("\" font-size=\"12\" fill=\"#829ab1\">no reloads yet</text>");
        }

        for (var i = 0; i < reloads.Count; i++)
        {
            var reload = reloads[i];
            var barHeight = Math.Max(1, plot * reload.DurationMs / (double)max);
            var x = left + (i * slot) + 2;
            page.Append("<rect x=\"").Append(x.ToString("0.#", svg)).Append("\" y=\"").Append((height - bottom - barHeight).ToString("0.#", svg))
                .Append("\" width=\"").Append((slot - 4).ToString("0.#", svg)).Append("\" height=\"").Append(barHeight.ToString("0.#", svg))
                .Append("\" fill=\"").Append(reload.Ok ? "#3ebd93" : "#e12d39").Append("\"><title>")
                .Append(E($"{reload.Version} generation {reload.Generation}: {reload.DurationMs} ms ({reload.Trigger})")).Append("</title></rect>");
        }

        page.Append("<text x=\"").Append(left).Append("\" y=\"").Append(height - 4).Append("\" font-size=\"10\" fill=\"#627d98\">older</text>")
            .Append("<text x=\"").Append(width).Append("\" y=\"").Append(height - 4).Append("\" text-anchor=\"end\" font-size=\"10\" fill=\"#627d98\">newer</text></svg>");
    }

    private static void AppendReleases(StringBuilder page, ReleaseOverview releases)
    {
        page.Append("<section id=\"releases\"><h2>Releases</h2>");
        if (releases.PromotedAt is { } promoted)
        {
            page.Append("<p class=\"muted\">production → <strong>").Append(E(releases.Production ?? "?")).Append("</strong> since ")
                .Append(E(promoted.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))).Append("</p>");
        }

        page.Append("<table><thead><tr><th>Version</th><th>Last used (UTC)</th><th></th></tr></thead><tbody>");
        foreach (var release in releases.Releases)
        {
            page.Append("<tr><td>").Append(E(release.Version)).Append("</td><td>")
                .Append(E(release.LastUsed.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>")
                .Append(release.IsProduction ? "<span class=\"badge prod\">production</span>" : "")
                .Append(release.IsRollbackTarget ? " <span class=\"badge\">rollback target</span>" : "")
                .Append(release.BadReason is { } bad ? " <span class=\"badge bad\" title=\"" + E(bad) + "\">bad</span>" : "").Append("</td></tr>");
        }

        if (releases.Releases.Count == 0)
        {
            page.Append("<tr><td colspan=\"3\" class=\"muted\">No release folders found.</td></tr>");
        }

        page.Append("</tbody></table>");
        if (releases.LogTail.Count > 0)
        {
            page.Append("<h2 style=\"margin-top:12px\">").Append(ReleaseStore.HistoryFileName).Append(" (last ").Append(releases.LogTail.Count)
                .Append(" lines)</h2><pre id=\"history-log\">").Append(E(string.Join('\n', releases.LogTail))).Append("</pre>");
        }

        page.Append("</section>");
    }

    private static void AppendRetired(StringBuilder page, HostStatus snapshot)
    {
        page.Append("<section class=\"wide\" id=\"retired\"><h2>Retired generations</h2>");
        AppendRetiring(page, snapshot.Retiring);
        page.Append("<p class=\"muted\">").Append(snapshot.CollectedGenerations).Append(" retired app contexts collected so far.");
        if (snapshot.RetiredAlive.Count == 0)
        {
            page.Append(" None still in memory.</p></section>");
            return;
        }

        page.Append("</p><table><thead><tr><th>App</th><th>Version</th><th class=\"num\">Generation</th><th>State</th><th>Held by</th></tr></thead><tbody>");
        foreach (var retired in snapshot.RetiredAlive)
        {
            page.Append("<tr><td>").Append(E(retired.App)).Append("</td><td>").Append(E(retired.Version)).Append("</td><td class=\"num\">")
                .Append(retired.Generation).Append("</td><td>")
                .Append(retired.State == nameof(UnloadState.Leaked) ? "<span class=\"badge leaked\">leaked</span>" : E(retired.State.ToLowerInvariant()))
                .Append("</td><td>").Append(string.Join("<br>", retired.HeldBy.Select(E))).Append("</td></tr>");
        }

        page.Append("</tbody></table></section>");
    }

    private static void AppendCanary(StringBuilder page, CanaryStatus? canary, DateTimeOffset now)
    {
        if (canary is null)
        {
            return;
        }

        page.Append("<section class=\"wide\" id=\"canary\"><h2>Canary</h2><p><strong>").Append(E(canary.Version)).Append("</strong> generation ")
            .Append(canary.Generation).Append(" serves ").Append(E(Percentage.Format(canary.Share))).Append(" of new clients")
            .Append(canary.Header is { } header ? $" and requests with header <code>{E(header)}</code>" : "")
            .Append(" · since ").Append(Duration(now - canary.Since)).Append("</p>")
            .Append("<table><thead><tr><th>Side</th><th class=\"num\">Requests</th><th class=\"num\">5xx</th><th class=\"num\">5xx %</th>")
            .Append("<th class=\"num\">Mean latency (ms)</th></tr></thead><tbody>");
        AppendTraffic(page, "canary", canary.Canary);
        AppendTraffic(page, "stable", canary.Stable);
        page.Append("</tbody></table></section>");
    }

    private static void AppendTraffic(StringBuilder page, string side, CanaryTraffic traffic) =>
        page.Append("<tr id=\"canary-").Append(side).Append("\"><td>").Append(side).Append("</td><td class=\"num\">").Append(traffic.Requests)
            .Append("</td><td class=\"num\">").Append(traffic.ServerErrors)
            .Append("</td><td class=\"num\">").Append(traffic.ErrorRate.ToString("0.##", CultureInfo.InvariantCulture))
            .Append("</td><td class=\"num\">").Append(traffic.MeanLatencyMs.ToString("0.###", CultureInfo.InvariantCulture)).Append("</td></tr>");

    private static void AppendRetiring(StringBuilder page, IReadOnlyList<RetiringStatus> retiring)
    {
        if (retiring.Count == 0)
        {
            return;
        }

        page.Append("<table id=\"retiring\"><thead><tr><th>Version</th><th class=\"num\">Generation</th><th>State</th><th class=\"num\">Since (s)</th>")
            .Append("<th>Still running</th></tr></thead><tbody>");
        foreach (var generation in retiring)
        {
            var running = string.Join("<br>", generation.Apps.Where(a => a.InFlight > 0)
                .Select(a => $"{E(a.App)}: {a.InFlight} (oldest {E(a.OldestPath ?? "?")}, {a.OldestSeconds} s)"));
            page.Append("<tr><td>").Append(E(generation.Version)).Append("</td><td class=\"num\">").Append(generation.Generation)
                .Append("</td><td>").Append(E(generation.State)).Append("</td><td class=\"num\">").Append(generation.Seconds)
                .Append("</td><td>").Append(running).Append("</td></tr>");
        }

        page.Append("</tbody></table>");
    }

    private static void AppendLogging(StringBuilder page, LoggingStatus logging)
    {
        page.Append("<section class=\"wide\" id=\"logging\"><h2>Logging</h2><p class=\"muted\">");
        if (logging.Buffers.Count == 0)
        {
            page.Append("The logger writes to its sinks directly: no buffers.</p></section>");
            return;
        }

        page.Append("Each sink has its own buffer; logging never waits for a sink, an event that finds its buffer full is dropped. ")
            .Append("Dropped since start: ")
            .Append(logging.Dropped == 0 ? "<span id=\"log-dropped\">" : "<span id=\"log-dropped\" class=\"badge failed\">").Append(logging.Dropped).Append("</span>")
            .Append("</p><table><thead><tr><th>Sink</th><th class=\"num\">Buffered</th><th class=\"num\">Capacity</th><th class=\"num\">Dropped</th></tr></thead><tbody>");
        foreach (var buffer in logging.Buffers)
        {
            page.Append("<tr data-sink=\"").Append(E(buffer.Sink)).Append("\"><td>").Append(E(buffer.Sink)).Append("</td>")
                .Append("<td class=\"num\">").Append(buffer.Buffered).Append("</td>")
                .Append("<td class=\"num\">").Append(buffer.Capacity).Append("</td>")
                .Append("<td class=\"num sink-dropped\">").Append(buffer.Dropped).Append("</td></tr>");
        }

        page.Append("</tbody></table></section>");
    }

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m {span.Seconds}s"
        : $"{Math.Max(0, (int)span.TotalSeconds)}s";

    private static string E(string value) => Html.Encode(value);
}

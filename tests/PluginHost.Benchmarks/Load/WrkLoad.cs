using System.Globalization;
using System.Text.RegularExpressions;
using PluginHost.Benchmarks.Infrastructure;

namespace PluginHost.Benchmarks.Load;

/// <summary>
/// wrk (Debian package <c>wrk</c>) at fixed threads and connections, with <c>--latency</c>; its report parsed into a
/// <see cref="LoadResult"/>. <see cref="EnsureInstalledAsync"/> installs it with apt-get when missing and running as root.
/// </summary>
/// <param name="headers">Request headers added to every request (<c>-H</c>), e.g. <c>Connection: close</c> for a new connection per request.</param>
public sealed partial class WrkLoad(string wrk, int threads, int connections, string? cpus = null, IReadOnlyList<string>? headers = null) : ILoadGenerator
{
    public string Description => $"wrk -t{threads} -c{connections} --latency" + string.Concat((headers ?? []).Select(h => $" -H '{h}'"))
        + (cpus is null ? "" : $" on CPU {cpus}");

    /// <summary>wrk's path.</summary>
    public string Program => wrk;

    /// <summary>Finds wrk on PATH, or installs it (root only); returns its path and version line.</summary>
    public static async Task<(string Path, string Version)> EnsureInstalledAsync(TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var path = await DebianPackages.EnsureAsync("wrk", "wrk", log, cancellationToken);
        var (_, versionOutput) = await ChildProcess.RunAsync(path, ["-v"], TimeSpan.FromSeconds(10), cancellationToken);
        var line = versionOutput.Split('\n').FirstOrDefault(l => l.StartsWith("wrk", StringComparison.Ordinal)) ?? "wrk";
        var version = line.Split(" Copyright", 2)[0].Trim();
        return (path, version);
    }

    public async Task<LoadResult> RunAsync(Uri url, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        string[] arguments = [$"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", .. (headers ?? []).SelectMany(h => new[] { "-H", h }), url.ToString()];
        var (fileName, commandLine) = CpuPinning.Wrap(cpus, wrk, arguments);
        var (code, output) = await ChildProcess.RunAsync(fileName, commandLine, duration + TimeSpan.FromSeconds(30), cancellationToken);
        return code == 0 ? Parse(output) : throw new BenchException($"wrk {string.Join(' ', arguments)} exited with {code}:\n{output}");
    }

    /// <summary>Reads wrk's report: totals, the latency distribution, socket errors and non-2xx/3xx responses.</summary>
    public static LoadResult Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var requests = RequestsLine().Match(output) is { Success: true } total
            ? long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new BenchException($"Cannot read wrk's total requests from:\n{output}");
        var perSecond = RequestsPerSecondLine().Match(output) is { Success: true } rate
            ? double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new BenchException($"Cannot read wrk's Requests/sec from:\n{output}");
        var socketErrors = SocketErrorsLine().Match(output) is { Success: true } errors
            ? Enumerable.Range(1, 4).Sum(i => long.Parse(errors.Groups[i].Value, CultureInfo.InvariantCulture))
            : 0;
        var non2xx = Non2xxLine().Match(output) is { Success: true } bad ? long.Parse(bad.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new LoadResult(requests, perSecond, Latency(output, "50"), Latency(output, "99"), non2xx, socketErrors);
    }

    private static double Latency(string output, string percent)
    {
        foreach (Match match in LatencyLine().Matches(output))
        {
            if (match.Groups["p"].Value == percent)
            {
                var value = double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture);
                return match.Groups["u"].Value switch
                {
                    "us" => value / 1000,
                    "ms" => value,
                    "s" => value * 1000,
                    "m" => value * 60_000,
                    _ => double.NaN,
                };
            }
        }

        return double.NaN;
    }

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"^\s+(?<p>\d+)%\s+(?<v>[\d.]+)(?<u>us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();
}

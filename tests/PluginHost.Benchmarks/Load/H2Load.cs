using System.Globalization;
using System.Text.RegularExpressions;
using PluginHost.Benchmarks.Infrastructure;

namespace PluginHost.Benchmarks.Load;

/// <summary>
/// h2load (Debian package <c>nghttp2-client</c>): HTTP/2 over TLS (ALPN h2) at fixed clients and streams per client, for
/// a duration; its report parsed into a <see cref="LoadResult"/>. h2load reports latency as min/max/mean, not
/// percentiles, so the percentiles of the result are NaN (shown as n/a). A run that did not negotiate h2 is an error.
/// </summary>
public sealed partial class H2Load(string h2load, int connections, int streams, string? cpus = null) : ILoadGenerator
{
    public string Description => $"h2load -t1 -c{connections} -m{streams}" + (cpus is null ? "" : $" on CPU {cpus}");

    public static Task<string> EnsureInstalledAsync(TextWriter log, CancellationToken cancellationToken = default) =>
        DebianPackages.EnsureAsync("h2load", "nghttp2-client", log, cancellationToken);

    public async Task<LoadResult> RunAsync(Uri url, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        string[] arguments = ["-t1", $"-c{connections}", $"-m{streams}", "-D", seconds.ToString(CultureInfo.InvariantCulture), url.ToString()];
        var (fileName, commandLine) = CpuPinning.Wrap(cpus, h2load, arguments);
        var (code, output) = await ChildProcess.RunAsync(fileName, commandLine, duration + TimeSpan.FromSeconds(30), cancellationToken);
        return code == 0 ? Parse(output) : throw new BenchException($"h2load {string.Join(' ', arguments)} exited with {code}:\n{output}");
    }

    /// <summary>Reads h2load's report: the negotiated protocol, requests done per second, failures and non-2xx statuses.</summary>
    public static LoadResult Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ProtocolLine().Match(output) is not { Success: true } protocol || protocol.Groups[1].Value != "h2")
        {
            throw new BenchException($"h2load did not speak HTTP/2 (no 'Application protocol: h2'):\n{output}");
        }

        var rate = FinishedLine().Match(output) is { Success: true } finished
            ? double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new BenchException($"Cannot read h2load's req/s from:\n{output}");
        var requests = RequestsLine().Match(output) is { Success: true } counts
            ? counts
            : throw new BenchException($"Cannot read h2load's request counts from:\n{output}");
        long Count(string name) => long.Parse(requests.Groups[name].Value, CultureInfo.InvariantCulture);
        var non2xx = StatusLine().Match(output) is { Success: true } statuses
            ? long.Parse(statuses.Groups[1].Value, CultureInfo.InvariantCulture) + long.Parse(statuses.Groups[2].Value, CultureInfo.InvariantCulture)
            : 0;
        return new LoadResult(Count("done"), rate, double.NaN, double.NaN, non2xx, Count("failed") + Count("errored") + Count("timeout"));
    }

    [GeneratedRegex(@"Application protocol: (\S+)")]
    private static partial Regex ProtocolLine();

    [GeneratedRegex(@"finished in [\d.]+m?s, ([\d.]+) req/s")]
    private static partial Regex FinishedLine();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, (?<done>\d+) done, \d+ succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx")]
    private static partial Regex StatusLine();
}

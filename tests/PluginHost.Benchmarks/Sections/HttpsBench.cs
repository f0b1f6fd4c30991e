using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Load;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// 8. HTTPS: the TinyJson endpoint over TLS with the same self-signed RSA-2048 certificate (made for the run), served by
/// bare Kestrel (its ServerCertificate) and by the host (server.certificate, its TLS handshake callback): throughput over
/// HTTP/1.1 (wrk) and HTTP/2 (h2load) on kept connections, and new TLS handshakes per second (wrk with
/// <c>Connection: close</c>: every request on a new connection, a full handshake each). Alternating rounds, as section 1.
/// </summary>
public sealed class HttpsBench(BenchContext context) : IBenchSection
{
    private const string Path = "/api/v1/";

    public int Number => 8;
    public string Key => "https";
    public string Title => "HTTPS";

    public IReadOnlyList<string> Notes =>
    [
        "8: both servers use one self-signed RSA-2048 certificate made for the run, TLS 1.2/1.3 (OpenSSL negotiates 1.3). HTTP/1.1: wrk over keep-alive connections; HTTP/2: h2load (wrk speaks no HTTP/2), one stream at a time per connection, so both keep 32 requests in flight; handshakes: wrk sending 'Connection: close', so each request opens a new connection with a full handshake (no resumption). Each round measures the bare server and the host back to back (order alternating); ratio = median of the rounds' ratios. h2load reports no latency percentiles.",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        using var deployment = new Deployment(context.Paths);
        var (certificateFile, keyFile) = WriteCertificate(deployment.Root);
        deployment.AddApp("v1", "TinyJson", "TinyJson");
        deployment.Promote("v1");
        deployment.WriteConfig([new BenchApp("TinyJson", "/api/v1", "TinyJson/TinyJson.dll", ["/"])], sizes.Debounce,
            server: $"server:\n  certificate:\n    path: {certificateFile}\n    keyPath: {keyFile}\n");
        var loads = await LoadsAsync(cancellationToken);

        var cpus = context.Pinning?.ServerCpus;
        await using var bare = await ServerProcess.StartBareAsync(context.Paths, "tiny", Path, cpus, certificate: (certificateFile, keyFile), cancellationToken: cancellationToken);
        await using var host = await ServerProcess.StartHostAsync(context.Paths, deployment.ConfigPath, Path, cpus, https: true, cancellationToken: cancellationToken);
        // Each protocol's own code paths (Kestrel's HTTP/2 frames and streams) need their tier-1 recompilation too.
        context.Progress($"https: warming up both servers ({sizes.ThroughputWarmup.TotalSeconds:0.#} s of HTTP/1.1, then as long of HTTP/2, each)");
        foreach (var server in new[] { bare, host })
        {
            await loads.Http1.RunAsync(server.Url(Path), sizes.ThroughputWarmup, cancellationToken);
            await loads.Http2.RunAsync(server.Url(Path), sizes.ThroughputWarmup, cancellationToken);
        }

        var measures = new[] { ("HTTP/1.1", loads.Http1), ("HTTP/2", loads.Http2), ("handshakes", loads.Handshakes) };
        var runs = measures.ToDictionary(m => m.Item1, _ => (Bare: new List<MeasuredRun>(), Host: new List<MeasuredRun>()));
        for (var round = 1; round <= sizes.OverheadRounds; round++)
        {
            var bareFirst = round % 2 == 1;
            foreach (var (name, load) in measures)
            {
                var (bareRuns, hostRuns) = runs[name];
                foreach (var (server, list) in bareFirst ? new[] { (bare, bareRuns), (host, hostRuns) } : [(host, hostRuns), (bare, bareRuns)])
                {
                    list.Add(await MeasuredRun.RunAsync(load, server, Path, sizes.OverheadDuration, cancellationToken));
                }
            }

            context.Progress(Fmt.F($"https: round {round}/{sizes.OverheadRounds}: ") + string.Join("; ", measures.Select(m =>
                Fmt.F($"{m.Item1} bare {runs[m.Item1].Bare[^1].Load.RequestsPerSecond:0}/s, host {runs[m.Item1].Host[^1].Load.RequestsPerSecond:0}/s"))));
        }

        bare.EnsureRunning();
        host.EnsureRunning();
        var rows = new List<BenchRow>();
        foreach (var (name, load) in measures)
        {
            var (bareRuns, hostRuns) = runs[name];
            var ratios = bareRuns.Zip(hostRuns, (a, b) => b.Load.RequestsPerSecond / a.Load.RequestsPerSecond).ToList();
            var ratio = Stats.Median(ratios);
            var (bareRps, hostRps) = (Stats.Median(bareRuns.Select(r => r.Load.RequestsPerSecond)), Stats.Median(hostRuns.Select(r => r.Load.RequestsPerSecond)));
            var (bareCpu, hostCpu) = (Stats.Median(bareRuns.Select(r => r.CpuMicrosecondsPerRequest)), Stats.Median(hostRuns.Select(r => r.CpuMicrosecondsPerRequest)));
            var handshakes = name == "handshakes";
            var measure = handshakes
                ? Fmt.F($"New TLS handshakes per second (a new connection per request, {load.Description}), median of {sizes.OverheadRounds} rounds")
                : Fmt.F($"HTTPS throughput over {name} ({load.Description}), median of {sizes.OverheadRounds} rounds; ratio = median of the rounds' ratios");
            rows.Add(handshakes
                ? new(Number, measure, Fmt.F($"{hostRps:#,0} /s"), Fmt.F($"{bareRps:#,0} /s"), Fmt.Ratio(ratio))
                : new(Number, measure, Fmt.PerSecond(hostRps), Fmt.PerSecond(bareRps), Fmt.Ratio(ratio), "≥ 0.95", BenchRow.Check(ratio >= 0.95)));
            rows.Add(new(Number, Fmt.F($"{name}: ratio of each round (spread: host {Spread(hostRuns)}, bare {Spread(bareRuns)})"), string.Join(", ", ratios.Select(Fmt.Ratio))));
            rows.Add(new(Number, Fmt.F($"{name}: server CPU time per request (median of rounds)"), Fmt.F($"{hostCpu:0.00} µs"), Fmt.F($"{bareCpu:0.00} µs"), Fmt.Ratio(hostCpu / bareCpu)));
            if (!handshakes && !double.IsNaN(hostRuns[0].Load.P50Ms))
            {
                var (bareP99, hostP99) = (Stats.Median(bareRuns.Select(r => r.Load.P99Ms)), Stats.Median(hostRuns.Select(r => r.Load.P99Ms)));
                rows.Add(new(Number, Fmt.F($"{name}: latency p99 (median of rounds)"), Fmt.Ms(hostP99), Fmt.Ms(bareP99), Fmt.Ratio(hostP99 / bareP99)));
            }
        }

        var failures = runs.Values.Sum(r => r.Bare.Concat(r.Host).Sum(m => m.Load.Failures));
        rows.Add(new(Number, "Failed requests (non-2xx + socket errors), all HTTPS runs", Fmt.Count(runs.Values.Sum(r => r.Host.Sum(m => m.Load.Failures))),
            Fmt.Count(runs.Values.Sum(r => r.Bare.Sum(m => m.Load.Failures))), "", "0", BenchRow.Check(failures == 0)));
        return rows;
    }

    /// <summary>Lowest to highest requests per second of the rounds, as a measure of the run's noise.</summary>
    private static string Spread(List<MeasuredRun> runs) =>
        Fmt.F($"{runs.Min(r => r.Load.RequestsPerSecond):#,0}–{runs.Max(r => r.Load.RequestsPerSecond):#,0}/s");

    /// <summary>HTTP/1.1, HTTP/2 and new-connection loads: wrk and h2load on the load CPU in full mode, HttpClient loops in quick mode.</summary>
    private async Task<(ILoadGenerator Http1, ILoadGenerator Http2, ILoadGenerator Handshakes)> LoadsAsync(CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        if (!sizes.UseWrk)
        {
            return (new HttpClientLoad(sizes.Connections), new HttpClientLoad(sizes.Connections, System.Net.HttpVersion.Version20),
                new HttpClientLoad(sizes.Connections, newConnectionEach: true));
        }

        var cpus = context.Pinning?.LoadCpus;
        var (wrk, _) = await WrkLoad.EnsureInstalledAsync(TextWriter.Null, cancellationToken);
        var h2load = await H2Load.EnsureInstalledAsync(TextWriter.Null, cancellationToken);
        return (new WrkLoad(wrk, 1, sizes.Connections, cpus), new H2Load(h2load, sizes.Connections, 1, cpus),
            new WrkLoad(wrk, 1, sizes.Connections, cpus, ["Connection: close"]));
    }

    /// <summary>A self-signed RSA-2048 certificate for localhost and 127.0.0.1, as PEM certificate and key files.</summary>
    private static (string Certificate, string Key) WriteCertificate(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30));
        var (certificateFile, keyFile) = (System.IO.Path.Combine(folder, "cert.pem"), System.IO.Path.Combine(folder, "key.pem"));
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }
}

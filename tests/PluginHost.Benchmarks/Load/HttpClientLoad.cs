using System.Diagnostics;
using PluginHost.Benchmarks.Infrastructure;

namespace PluginHost.Benchmarks.Load;

/// <summary>
/// The quick mode's load: <c>connections</c> workers in this process, each sending one request after another
/// on its own keep-alive connection. Much weaker than wrk (it shares the CPU with the servers), but needs nothing installed.
/// Over https it trusts any certificate (the suite's are self-signed).
/// </summary>
/// <param name="version">HTTP version to speak (1.1 by default; 2.0 for HTTP/2 over TLS).</param>
/// <param name="newConnectionEach">Send <c>Connection: close</c>: every request on a new connection (a new TLS handshake).</param>
public sealed class HttpClientLoad(int connections, Version? version = null, bool newConnectionEach = false) : ILoadGenerator
{
    public string Description => $"HttpClient loop, {connections} connections" + (version is null ? "" : $", HTTP/{version}") + (newConnectionEach ? ", Connection: close" : "");

    public async Task<LoadResult> RunAsync(Uri url, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            UseCookies = false, // as wrk: every request a new client (a canary's split would otherwise stick to its first answer)
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var client = new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(2),
            DefaultRequestVersion = version ?? System.Net.HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.ConnectionClose = newConnectionEach;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(() => WorkAsync(client, url, end, cancellationToken), cancellationToken)).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.LatenciesMs).ToList();
        return new LoadResult(
            latencies.Count,
            latencies.Count / elapsed.TotalSeconds,
            Stats.Median(latencies),
            Stats.Percentile(latencies, 99),
            results.Sum(r => r.Non2xx),
            results.Sum(r => r.Errors));
    }

    private static async Task<WorkerResult> WorkAsync(HttpClient client, Uri url, long end, CancellationToken cancellationToken)
    {
        var result = new WorkerResult();
        while (Stopwatch.GetTimestamp() < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
                result.LatenciesMs.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                if ((int)response.StatusCode >= 400)
                {
                    result.Non2xx++;
                }
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                result.Errors++;
            }
        }

        return result;
    }

    private sealed class WorkerResult
    {
        public List<double> LatenciesMs { get; } = [];
        public long Non2xx { get; set; }
        public long Errors { get; set; }
    }
}

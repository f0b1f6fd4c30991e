using System.Collections.Concurrent;
using System.Net;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// Clients that request paths in a loop until stopped, counting every answer that is not 200 and every socket error:
/// the "zero failed requests under load" of the reload and fault tests.
/// </summary>
public sealed class ContinuousRequests : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients;
    private long _served;

    public ContinuousRequests(Uri address, IReadOnlyList<string> paths, int clientsPerPath = 4)
    {
        _clients = paths.SelectMany(path => Enumerable.Range(0, clientsPerPath).Select(_ => Task.Run(() => RunAsync(address, path, _stop.Token)))).ToList();
    }

    public ConcurrentQueue<string> Failures { get; } = new();
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Waits until <paramref name="count"/> more requests were answered, so a test knows traffic flows.</summary>
    public Task WaitForMoreAsync(long count, string what)
    {
        var target = Served + count;
        return Eventually.WaitAsync(() => Served >= target, what);
    }

    private async Task RunAsync(Uri address, string path, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(path, CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Failures.Enqueue($"{path}: {(int)response.StatusCode}");
                }

                Interlocked.Increment(ref _served);
            }
            catch (HttpRequestException ex)
            {
                Failures.Enqueue($"{path}: {ex.Message}");
            }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

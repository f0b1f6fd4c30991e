using Microsoft.Extensions.Hosting;

namespace BackgroundWorker;

/// <summary>
/// The "timed background task" of the hosted-services docs: an <see cref="IHostedService"/> written by hand with a
/// <see cref="Timer"/> started in StartAsync, stopped in StopAsync and disposed with the container.
/// </summary>
public sealed class HeartbeatService(TimeProvider timeProvider) : IHostedService, IDisposable
{
    private Timer? _timer;
    private long _beats;

    public long Beats => Interlocked.Read(ref _beats);

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? StoppedAt { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartedAt = timeProvider.GetUtcNow();
        _timer = new Timer(DoWork, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        StoppedAt = timeProvider.GetUtcNow();
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void DoWork(object? state) => Interlocked.Increment(ref _beats);
}

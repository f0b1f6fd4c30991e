using Microsoft.Extensions.Hosting;

namespace BackgroundWorker;

/// <summary>The lifetime-events sample of the generic-host docs: records when the application starts and stops.</summary>
public sealed class LifetimeEvents(IHostApplicationLifetime lifetime, TimeProvider timeProvider) : IHostedService
{
    public DateTimeOffset? ServiceStartedAt { get; private set; }

    public DateTimeOffset? ApplicationStartedAt { get; private set; }

    public DateTimeOffset? ApplicationStoppingAt { get; private set; }

    public DateTimeOffset? ApplicationStoppedAt { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ServiceStartedAt = timeProvider.GetUtcNow();
        lifetime.ApplicationStarted.Register(() => ApplicationStartedAt = timeProvider.GetUtcNow());
        lifetime.ApplicationStopping.Register(() => ApplicationStoppingAt = timeProvider.GetUtcNow());
        lifetime.ApplicationStopped.Register(() => ApplicationStoppedAt = timeProvider.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.Extensions.Hosting;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Certificates;

/// <summary>
/// Checks the certificate files every <c>reload.pollInterval</c> (see <see cref="ServerCertificates.CheckForChanges"/>).
/// Polling, not file events: renewals replace files by symlink swaps (certbot's live/ links, a Kubernetes secret's
/// <c>..data</c> link) that a watcher of the configured file never sees, and a few small files cost nothing to read.
/// </summary>
internal sealed class CertificateRotation(ServerCertificates certificates, HostConfig config, TimeProvider timeProvider) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!certificates.Any)
        {
            return;
        }

        using var timer = new PeriodicTimer(config.Reload.PollInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                certificates.CheckForChanges();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

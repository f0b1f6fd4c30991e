using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PluginHost.Core.Generations;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Status;

/// <summary>The outcome of an app's own health checks (ASP.NET Core <see cref="IHealthCheck"/>s it registered), as text only.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy; Healthy when the app registered none.</param>
public sealed record AppHealth(string Status, DateTimeOffset CheckedAt, IReadOnlyList<AppHealthCheck> Checks);

public sealed record AppHealthCheck(string Name, string Status, string? Description, long DurationMs);

/// <summary>{admin}/readyz: ready when a generation serves and no app's health check is Unhealthy.</summary>
public sealed record Readiness(bool Ready, string? Version, long? Generation, IReadOnlyDictionary<string, AppHealth> Apps);

/// <summary>
/// Runs the health checks the apps of the serving generation registered (<c>services.AddHealthChecks()</c> in
/// ConfigureServices), through each app's own <see cref="HealthCheckService"/>, inside the generation (entered like a
/// request, so its containers are not disposed meanwhile). Results are kept as text: a report's exceptions and data may
/// reference the app's types and would keep a retired generation alive.
/// </summary>
public sealed class HealthReporter(CurrentGeneration current, TimeProvider timeProvider)
{
    /// <summary>How long one app's checks may take; past it the app counts as Unhealthy.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string App, long Generation), AppHealth> _last = new();

    /// <summary>The last result of <paramref name="app"/>'s checks in <paramref name="generation"/>, if they ran.</summary>
    public AppHealth? Last(string app, long generation) => _last.GetValueOrDefault((app, generation));

    public async Task<Readiness> CheckAsync(CancellationToken cancellationToken = default)
    {
        var generation = current.Enter();
        if (generation is null)
        {
            return new Readiness(false, null, null, new Dictionary<string, AppHealth>());
        }

        try
        {
            var results = await Task.WhenAll(generation.Apps.Select(app => CheckAppAsync(app, cancellationToken)));
            var apps = generation.Apps.Zip(results).ToDictionary(p => p.First.Name, p => p.Second, StringComparer.Ordinal);
            foreach (var (app, health) in apps)
            {
                _last[(app, generation.Number)] = health;
            }

            foreach (var stale in _last.Keys.Where(k => k.Generation != generation.Number))
            {
                _last.TryRemove(stale, out _);
            }

            var ready = apps.Values.All(h => h.Status != nameof(HealthStatus.Unhealthy));
            return new Readiness(ready, generation.Release.Version, generation.Number, apps);
        }
        finally
        {
            generation.Exit();
        }
    }

    private async Task<AppHealth> CheckAppAsync(AppInstance app, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (app.Services.GetService<HealthCheckService>() is not { } service)
        {
            return new AppHealth(nameof(HealthStatus.Healthy), now, []);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            var report = await service.CheckHealthAsync(timeout.Token);
            return new AppHealth(report.Status.ToString(), now, report.Entries
                .Select(e => new AppHealthCheck(e.Key, e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message, (long)e.Value.Duration.TotalMilliseconds))
                .ToList());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new AppHealth(nameof(HealthStatus.Unhealthy), now,
                [new AppHealthCheck("(all)", nameof(HealthStatus.Unhealthy), $"the checks did not finish within {CheckTimeout.TotalSeconds:0} s", (long)CheckTimeout.TotalMilliseconds)]);
        }
    }
}

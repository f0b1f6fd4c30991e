using PluginHost.Core.Certificates;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Status;

/// <summary>Takes a snapshot of what the host serves, its reloads, its retired generations, its log buffers and its apps' health.</summary>
public sealed class StatusReporter(CurrentGeneration current, ReloadCoordinator coordinator, UnloadTracker tracker, LogBuffers logBuffers, TimeProvider timeProvider,
    HealthReporter health, RetiringGenerations? retiring = null, ServerCertificates? certificates = null, Workers.WorkerStarter? workers = null)
{
    public HostStatus Snapshot()
    {
        var generation = current.Value;
        var alive = tracker.Alive;
        var buffers = logBuffers.Read();
        var apps = generation?.Apps.Select(app => new AppStatus(
            app.Name,
            app.Config.Mount,
            app.Config.Hosts,
            generation.Release.Version,
            generation.Number,
            generation.LoadedAt,
            (long)app.LoadTime.TotalMilliseconds,
            app.InFlight,
            app.Requests,
            alive.Count(r => r.App == app.Name),
            alive.Count(r => r.App == app.Name && r.State == UnloadState.Leaked))
        {
            Health = health.Last(app.Name, generation.Number),
            Worker = app.Worker?.Status(),
        }).ToList() ?? [];
        return new HostStatus(
            timeProvider.GetUtcNow(),
            generation?.Release.Version,
            generation?.Number,
            apps,
            coordinator.LastResult,
            coordinator.History,
            tracker.CollectedCount,
            alive.Select(r => new RetiredStatus(r.App, r.Version, r.Generation, r.State.ToString(), [.. r.LeakChains.Select(c => c.ToString())])).ToList())
        {
            Memory = ProcessMemory.Read(),
            Logging = new LoggingStatus(buffers.Sum(b => b.Dropped), buffers),
            Certificates = (certificates ?? ServerCertificates.None).Read(),
            Retiring = Retiring(),
            Standbys = Standbys(coordinator),
            Canary = Canary(coordinator),
            Spares = apps.Any(a => a.Worker is not null) ? workers?.Spares() : null,
        };
    }

    private static CanaryStatus? Canary(ReloadCoordinator coordinator) =>
        coordinator.Canary is not { } route ? null : new CanaryStatus(
            route.Target.Version,
            route.Generation.Number,
            route.Target.Share,
            route.Target.Header?.ToString(),
            route.Target.Since,
            CanaryTraffic.Of(route.Stats.Canary),
            CanaryTraffic.Of(route.Stats.Stable));

    private static List<StandbyStatus> Standbys(ReloadCoordinator coordinator)
    {
        var configPath = coordinator.Config.SourcePath;
        return [.. coordinator.Standbys.Select(s => new StandbyStatus(
            s.Generation.Release.Version,
            s.Generation.Number,
            s.Role.ToString().ToLowerInvariant(),
            s.Since,
            s.Fingerprint.Matches(Releases.ReleaseFingerprint.Take(s.Generation.Release.Path, configPath)),
            s.Fingerprint.AssemblyBytes,
            s.Generation.InFlight))];
    }

    private List<RetiringStatus> Retiring() =>
        retiring?.Current.Select(r => new RetiringStatus(
            r.Generation.Release.Version,
            r.Generation.Number,
            r.State.ToString().ToLowerInvariant(),
            (long)timeProvider.GetElapsedTime(r.Since).TotalSeconds,
            [.. r.Requests().Select(a => new RetiringAppStatus(a.App, a.InFlight, a.Oldest?.Path, (long?)a.Oldest?.Age.TotalSeconds))])).ToList() ?? [];
}

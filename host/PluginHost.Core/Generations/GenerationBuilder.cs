using Microsoft.Extensions.Logging;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Releases;
using Serilog.Context;

namespace PluginHost.Core.Generations;

/// <summary>A new generation could not be built; the message names app, file and cause.</summary>
/// <param name="failedVersion">The release version at fault, or null when the fault is not the release's (a users file, a dangling link).</param>
public sealed class GenerationBuildException(string message, string? failedVersion = null) : Exception(message)
{
    public string? FailedVersion { get; } = failedVersion;
}

/// <summary>Builds a complete generation of every app, or throws <see cref="GenerationBuildException"/>.</summary>
public interface IGenerationBuilder
{
    /// <summary>Builds the release the production link points at.</summary>
    Task<Generation> BuildAsync(HostConfig config, long number, CancellationToken cancellationToken = default);

    /// <summary>Builds <paramref name="release"/>, wherever the production link points (a prepared promote).</summary>
    Task<Generation> BuildAsync(HostConfig config, long number, ResolvedRelease release, CancellationToken cancellationToken = default);
}

/// <summary>
/// Builds generation N of every app of the production release, off to the side: resolve the symlink once,
/// load, build and warm every app (side by side). If any app fails, everything built is disposed and unloaded.
/// </summary>
public sealed partial class GenerationBuilder(AppInstanceFactory factory, GenerationRetirer retirer, TimeProvider timeProvider, ILogger<GenerationBuilder> logger) : IGenerationBuilder
{
    public Task<Generation> BuildAsync(HostConfig config, long number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        return BuildAsync(config, number, Resolve(config), cancellationToken);
    }

    public async Task<Generation> BuildAsync(HostConfig config, long number, ResolvedRelease release, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(release);
        // Apps share nothing but the host: built side by side they use every core. The first failure cancels the rest.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var builds = config.Apps.Select(app => Task.Run(() => BuildOrCancelOthersAsync(app, release, number, failFast), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(builds);
        }
        catch
        {
            // Not logged here: the coordinator logs the failed reload, or the host stops with it, in one line.
            var built = builds.Where(b => b.IsCompletedSuccessfully).Select(b => b.Result).ToList();
            await retirer.RetireAppsAsync(built, release.Version, number);
            throw FirstFailure(builds, release, cancellationToken);
        }

        return new Generation(number, release, builds.Select(b => b.Result).ToList(), timeProvider.GetUtcNow());
    }

    private async Task<AppInstance> BuildOrCancelOthersAsync(AppConfig config, ResolvedRelease release, long number, CancellationTokenSource failFast)
    {
        try
        {
            return await BuildAppAsync(config, release, number, failFast.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await failFast.CancelAsync();
            throw;
        }
    }

    /// <summary>The first app in config order that failed on its own (not because another one's failure cancelled it).</summary>
    private static Exception FirstFailure(IReadOnlyList<Task<AppInstance>> builds, ResolvedRelease release, CancellationToken cancellationToken)
    {
        var failure = builds
            .Select(b => b.Exception?.InnerException)
            .FirstOrDefault(ex => ex is not null and not OperationCanceledException);
        return failure is null
            ? new OperationCanceledException(cancellationToken)
            : new GenerationBuildException(failure.Message, failure is PluginLoadException { BlamesRelease: false } ? null : release.Version);
    }

    private static ResolvedRelease Resolve(HostConfig config)
    {
        try
        {
            return ReleaseResolver.Resolve(config.ProductionLink);
        }
        catch (ReleaseException ex)
        {
            throw new GenerationBuildException(ex.Message, ex.Version);
        }
    }

    private async Task<AppInstance> BuildAppAsync(AppConfig config, ResolvedRelease release, long number, CancellationToken cancellationToken)
    {
        using var app = LogContext.PushProperty("App", config.Name);
        using var version = LogContext.PushProperty("Version", release.Version);
        using var generation = LogContext.PushProperty("Generation", number);
        var started = timeProvider.GetTimestamp();
        AppInstance instance;
        try
        {
            instance = await factory.CreateAsync(config, release, number, cancellationToken);
        }
        catch (PluginLoadException ex) when (ex.AbandonedContext is { } abandoned)
        {
            // A context was created before the failure: prove that it, too, goes away.
            retirer.TrackAbandoned(config.Name, release.Version, number, abandoned);
            throw;
        }
        catch (LoadCanceledException ex)
        {
            retirer.TrackAbandoned(config.Name, release.Version, number, ex.AbandonedContext);
            throw;
        }

        try
        {
            await AppWarmup.RunAsync(instance, timeProvider, cancellationToken);
        }
        catch
        {
            await retirer.RetireAppsAsync([instance], release.Version, number);
            throw;
        }

        Log.AppLoaded(logger, config.Name, release.Version, number, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds, instance.AssemblyCount);
        return instance;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, EventName = "AppLoaded", Level = LogLevel.Information,
            Message = "Loaded {App} {Version} generation {Generation} in {LoadMs} ms ({AssemblyCount} private assemblies)")]
        public static partial void AppLoaded(ILogger logger, string app, string version, long generation, long loadMs, int assemblyCount);
    }
}

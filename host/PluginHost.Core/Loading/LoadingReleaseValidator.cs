using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Hosting;
using PluginHost.Core.Releases;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Loading;

/// <summary>How <see cref="LoadingReleaseValidator"/> loads and unloads a release.</summary>
public sealed record LoadingValidationOptions
{
    /// <summary>The environment the apps are built in; the host's own (<see cref="HostEnvironmentName.Resolve()"/>) by default.</summary>
    public string EnvironmentName { get; init; } = HostEnvironmentName.Resolve();

    /// <summary>
    /// How long one app may take to load, build and be disposed, on top of its own <c>warmupTimeout</c> (which bounds the
    /// warm-up and readiness check, as in the host). An app that takes longer is refused: 'validate' and 'promote' never
    /// hang on an app whose ConfigureServices, Configure or disposal blocks.
    /// </summary>
    public TimeSpan AppTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to keep collecting before a throwaway context still alive is reported as leaked.</summary>
    public TimeSpan UnloadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Hears warnings that do not refuse the release (a throwaway context that was not collected).</summary>
    public Action<string>? Warning { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Validates a release the way the host would load it, with the host's own loading code: every app is loaded
/// into a throwaway collectible context, its services and pipeline are built and warmed, then all is unloaded.
/// Every failure, expected or not, becomes one refusal naming the app, the file and the cause.
/// </summary>
public sealed class LoadingReleaseValidator(ILoggerFactory? loggerFactory = null, LoadingValidationOptions? options = null) : IReleaseValidator
{
    private readonly LoadingValidationOptions _options = options ?? new LoadingValidationOptions();

    public async Task<IReadOnlyList<string>> ValidateAsync(HostConfig config, string releasePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(releasePath);
        using var listener = new DiagnosticListener("PluginHost.Validation");
        var logs = loggerFactory ?? NullLoggerFactory.Instance;
        var factory = new AppInstanceFactory(new HostServices(logs, listener, _options.EnvironmentName), _options.TimeProvider);
        // As the host does when it retires a generation: what the apps leave behind would otherwise keep every context alive.
        var hygiene = new UnloadHygiene(UnloadHygiene.Steps(config.Reload.SkipUnloadSteps), logs.CreateLogger<UnloadHygiene>());
        var release = new ResolvedRelease(Path.GetFileName(Path.TrimEndingDirectorySeparator(releasePath)), Path.GetFullPath(releasePath));
        var errors = new List<string>();
        var unloaded = new List<(string App, WeakReference Context)>();
        foreach (var app in config.Apps)
        {
            var outcome = await ValidateAppAsync(factory, hygiene, app, release, cancellationToken).ConfigureAwait(false);
            if (outcome.Error is { } error)
            {
                errors.Add(error);
            }

            if (outcome.Context is { } context)
            {
                unloaded.Add((app.Name, context));
            }
        }

        await ReportLeaksAsync(unloaded, release.Version, cancellationToken).ConfigureAwait(false);
        return errors;
    }

    /// <summary>
    /// Runs one app's load, warm-up and unload on the thread pool, bounded by <see cref="LoadingValidationOptions.AppTimeout"/>:
    /// a Configure that blocks or a readiness check that never answers is refused instead of hanging the command.
    /// </summary>
    private async Task<AppOutcome> ValidateAppAsync(AppInstanceFactory factory, UnloadHygiene hygiene, AppConfig app, ResolvedRelease release, CancellationToken cancellationToken)
    {
        var assemblyPath = Path.Combine(release.Path, app.Assembly);
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stage = new StageTracker();
        var work = Task.Run(() => LoadWarmAndUnloadAsync(factory, hygiene, app, release, assemblyPath, stage, abandon.Token), CancellationToken.None);
        try
        {
            return await work.WaitAsync(Bound(app), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Read before cancelling: once asked to stop, the app's code moves on to the next stage at once.
            var stuckIn = stage.Current;
            // The app's code may still be running: ask it to stop (warm-up requests see RequestAborted) and leave it;
            // the throwaway context unloads when that code returns, or with the process.
            await abandon.CancelAsync().ConfigureAwait(false);
            return new AppOutcome(
                $"app '{app.Name}': {assemblyPath}: {stuckIn} did not finish within {Format(Bound(app))}; " +
                "check its warm-up paths and IsReadyAsync (a release must be ready quickly to be served)",
                Context: null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private TimeSpan Bound(AppConfig app) => _options.AppTimeout + app.WarmupTimeout;

    private static async Task<AppOutcome> LoadWarmAndUnloadAsync(
        AppInstanceFactory factory, UnloadHygiene hygiene, AppConfig app, ResolvedRelease release, string assemblyPath, StageTracker stage, CancellationToken cancellationToken)
    {
        AppInstance? instance = null;
        string? error = null;
        try
        {
            stage.Current = "loading (ConfigureServices, Configure)";
            // A process app is validated like any other: loaded in this process (its worker would load it the same way).
            instance = await factory.CreateAsync(app with { Isolation = AppIsolation.InProcess }, release, generation: 0, cancellationToken).ConfigureAwait(false);
            stage.Current = "warm-up and readiness check";
            await AppWarmup.RunAsync(instance, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Once abandoned (timeout, Ctrl+C) nobody reads this; until then every exception is a refusal, never a crash.
            error = Describe(app, assemblyPath, ex);
        }

        if (instance is null)
        {
            return new AppOutcome(error, Context: null);
        }

        var context = instance.ContextReference;
        var remains = instance.Remains is { } left ? new RetiringApp(app.Name, left.Context, left.Container) : null;
        try
        {
            stage.Current = "stopping (hosted services)";
            await instance.StopAsync(TimeProvider.System).ConfigureAwait(false);
            stage.Current = "unloading (disposing the app's services)";
            await instance.DisposeServicesAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error ??= $"app '{app.Name}': {assemblyPath}: disposing the app's services threw {ex.GetType().Name}: {PluginAssemblyLoader.FirstLine(ex.Message)}";
        }

        // Before the context starts unloading, as the host does (see GenerationRetirer.RetireAppsAsync).
        if (remains is not null)
        {
            hygiene.Run([remains], release.Version, generation: 0);
        }

        remains = null;
        instance.Unload();

        return new AppOutcome(error, context);
    }

    /// <summary>The refusal for any failure: a <see cref="PluginLoadException"/> already says it all; anything else is named here.</summary>
    internal static string Describe(AppConfig app, string assemblyPath, Exception exception) => exception switch
    {
        PluginLoadException load => load.Message,
        BadImageFormatException => $"app '{app.Name}': {assemblyPath}: cannot be loaded, the file is corrupt or truncated " +
                                   $"({exception.GetType().Name}: {PluginAssemblyLoader.FirstLine(exception.Message)}); publish the release again",
        _ => $"app '{app.Name}': {assemblyPath}: {exception.GetType().Name}: {PluginAssemblyLoader.FirstLine(exception.Message)}",
    };

    /// <summary>
    /// Collects until every throwaway context is gone or <see cref="LoadingValidationOptions.UnloadTimeout"/> passes. A context
    /// still alive is a leak the host would suffer on every reload: a warning, not a refusal (the release does serve).
    /// </summary>
    private async Task ReportLeaksAsync(List<(string App, WeakReference Context)> contexts, string version, CancellationToken cancellationToken)
    {
        if (contexts.Count == 0)
        {
            return;
        }

        var started = _options.TimeProvider.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var alive = StillAlive(contexts);
            if (alive.Count == 0)
            {
                return;
            }

            if (_options.TimeProvider.GetElapsedTime(started) >= _options.UnloadTimeout)
            {
                foreach (var app in alive)
                {
                    _options.Warning?.Invoke(
                        $"app '{app}' of release '{version}': its load context was still alive {Format(_options.UnloadTimeout)} after unloading " +
                        "(something roots it: a static event, a thread, a timer…); the host would leak it on every reload");
                }

                return;
            }

            await Task.Delay(pause, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<string> StillAlive(List<(string App, WeakReference Context)> contexts)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return contexts.Where(c => c.Context.IsAlive).Select(c => c.App).ToList();
    }

    private static string Format(TimeSpan duration) => duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds:0.#}s" : $"{duration.TotalMilliseconds:0}ms";

    private sealed record AppOutcome(string? Error, WeakReference? Context);

    /// <summary>What the app's background validation is doing, for the timeout message.</summary>
    private sealed class StageTracker
    {
        private volatile string _current = "loading";

        public string Current
        {
            get => _current;
            set => _current = value;
        }
    }
}

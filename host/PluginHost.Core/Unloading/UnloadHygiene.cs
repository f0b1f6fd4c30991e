using Microsoft.Extensions.Logging;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Unloading.Steps;

namespace PluginHost.Core.Unloading;

/// <summary>
/// Runs the unload hygiene steps, in order, for a retiring generation and logs what they removed. Off the request path:
/// the retirer calls it once the generation has drained and its containers are disposed.
/// </summary>
public sealed partial class UnloadHygiene(IEnumerable<IUnloadStep> steps, ILogger<UnloadHygiene> logger)
{
    private readonly IReadOnlyList<IUnloadStep> _steps = [.. steps];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> StepNames => [.. _steps.Select(s => s.Name)];

    /// <summary>
    /// Every step, in the order they run: library-specific clean-ups first, then generic scans, then caches, then the
    /// host's log buffers (a step's failure may log).
    /// </summary>
    private static readonly (string Name, Func<LogBuffers?, IUnloadStep> Create)[] Catalogue =
    [
        (SqlitePoolsStep.StepName, _ => new SqlitePoolsStep()),
        (TimersStep.StepName, _ => new TimersStep()),
        (StaticEventsStep.StepName, _ => new StaticEventsStep()),
        (DiagnosticSubscriptionsStep.StepName, _ => new DiagnosticSubscriptionsStep()),
        (MetersStep.StepName, _ => new MetersStep()),
        (TypeDescriptorStep.StepName, _ => new TypeDescriptorStep()),
        (MetadataUpdateHandlersStep.StepName, _ => new MetadataUpdateHandlersStep()),
        (FrameworkCachesStep.StepName, _ => new FrameworkCachesStep()),
        (LogBuffersStep.StepName, buffers => new LogBuffersStep(buffers)),
    ];

    /// <summary>The names <c>reload.skipUnloadSteps</c> accepts, in the order the steps run.</summary>
    public static IReadOnlyList<string> KnownStepNames { get; } = [.. Catalogue.Select(c => c.Name)];

    /// <summary>
    /// Every step but those named in <paramref name="skipped"/> (config.yaml's <c>reload.skipUnloadSteps</c>). A step whose
    /// framework internals moved is kept as a failing step: it is reported on every run, and the others still run.
    /// </summary>
    /// <param name="logBuffers">The host's log buffers; none where nothing logs through them (a release's validation).</param>
    public static IReadOnlyList<IUnloadStep> Steps(IEnumerable<string> skipped, LogBuffers? logBuffers = null)
    {
        var skip = skipped.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. Catalogue.Where(c => !skip.Contains(c.Name)).Select(c => Create(c.Name, () => c.Create(logBuffers)))];
    }

    private static IUnloadStep Create(string name, Func<IUnloadStep> create)
    {
        try
        {
            return create();
        }
        catch (MissingFrameworkInternalException ex)
        {
            return new BrokenStep(name, ex.Message);
        }
    }

    /// <summary>A step that could not find what it needs in this framework version.</summary>
    private sealed class BrokenStep(string name, string error) : IUnloadStep
    {
        public string Name => name;

        public void Run(UnloadScope scope, UnloadReport report) => report.Failed(error);
    }

    /// <summary>
    /// Finds what the generic steps look for, in the background, so the first retirement does not pay for the scan (and
    /// start-up does not wait for it).
    /// </summary>
    public Task PrepareAsync() => Task.Run(() =>
    {
        lock (_lock)
        {
            foreach (var step in _steps)
            {
                (step as MetadataUpdateHandlersStep)?.Scan();
                (step as FrameworkCachesStep)?.Scan();
            }
        }
    });

    /// <summary>Runs every step for <paramref name="apps"/> (of one release and generation, for the log).</summary>
    public UnloadReport Run(IReadOnlyList<RetiringApp> apps, string version, long generation)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var report = new UnloadReport();
        if (apps.Count == 0)
        {
            return report;
        }

        var scope = new UnloadScope(apps);
        // One run at a time: steps walk process-wide registries, and two retirements must not race on them.
        lock (_lock)
        {
            foreach (var step in _steps)
            {
                report.Step = step.Name;
                try
                {
                    step.Run(scope, report);
                }
                catch (Exception ex)
                {
                    // A framework update that moved an internal must not stop the other steps (or the retirement).
                    report.Failed($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        foreach (var (app, summary) in report.SummaryByApp())
        {
            Log.Cleaned(logger, app, version, generation, summary);
        }

        foreach (var failure in report.Failures)
        {
            Log.StepFailed(logger, version, generation, failure);
        }

        return report;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 32, EventName = "UnloadHygiene", Level = LogLevel.Information,
            Message = "Cleaned up after {App} {Version} generation {Generation}: {Removed}")]
        public static partial void Cleaned(ILogger logger, string app, string version, long generation, string removed);

        [LoggerMessage(EventId = 33, EventName = "UnloadHygieneStepFailed", Level = LogLevel.Warning,
            Message = "Unload hygiene for {Version} generation {Generation} could not run a step ({Failure}); a leak may follow")]
        public static partial void StepFailed(ILogger logger, string version, long generation, string failure);
    }
}

using Microsoft.Extensions.Logging;
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

    /// <summary>Every step, in the order they run: library-specific clean-ups first, then generic scans, then caches.</summary>
    private static readonly (string Name, Func<IUnloadStep> Create)[] Catalogue =
    [
        (SqlitePoolsStep.StepName, () => new SqlitePoolsStep()),
        (TimersStep.StepName, () => new TimersStep()),
        (StaticEventsStep.StepName, () => new StaticEventsStep()),
        (DiagnosticSubscriptionsStep.StepName, () => new DiagnosticSubscriptionsStep()),
        (MetersStep.StepName, () => new MetersStep()),
        (TypeDescriptorStep.StepName, () => new TypeDescriptorStep()),
        (MetadataUpdateHandlersStep.StepName, () => new MetadataUpdateHandlersStep()),
        (FrameworkCachesStep.StepName, () => new FrameworkCachesStep()),
    ];

    /// <summary>The names <c>reload.skipUnloadSteps</c> accepts, in the order the steps run.</summary>
    public static IReadOnlyList<string> KnownStepNames { get; } = [.. Catalogue.Select(c => c.Name)];

    /// <summary>
    /// Every step but those named in <paramref name="skipped"/> (config.yaml's <c>reload.skipUnloadSteps</c>). A step whose
    /// framework internals moved is kept as a failing step: it is reported on every run, and the others still run.
    /// </summary>
    public static IReadOnlyList<IUnloadStep> Steps(IEnumerable<string> skipped)
    {
        var skip = skipped.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. Catalogue.Where(c => !skip.Contains(c.Name)).Select(c => Create(c.Name, c.Create))];
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

using System.Diagnostics.Metrics;
using System.Reflection;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Disposes Meters that belong to the generation: created with the app's scope, or whose instruments are the app's
/// types or observe through the app's callbacks (EF Core's observable counters). Every Meter is listed in a static
/// registry until disposed; meters from the app's IMeterFactory are disposed with its container already.
/// </summary>
public sealed class MetersStep : IUnloadStep
{
    private readonly FieldInfo _allMeters;
    private readonly PropertyInfo _lock;
    private readonly FieldInfo _instruments;

    public MetersStep()
    {
        _allMeters = FrameworkInternals.StaticField(typeof(Meter), "s_allMeters");
        _lock = FrameworkInternals.StaticProperty(typeof(Instrument), "SyncObject");
        _instruments = FrameworkInternals.Field(typeof(Meter), "_instruments");
    }

    public const string StepName = "meters";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        List<(Meter Meter, string App)> owned;
        lock (_lock.GetValue(null)!)
        {
            owned = ((IEnumerable<Meter>)_allMeters.GetValue(null)!)
                .Select(meter => (Meter: meter, App: OwnerOf(scope, meter)))
                .Where(m => m.App is not null)
                .Select(m => (m.Meter, m.App!))
                .ToList();
        }

        foreach (var (meter, app) in owned)
        {
            meter.Dispose();
            report.Removed(app, $"Meter '{meter.Name}'");
        }
    }

    private string? OwnerOf(UnloadScope scope, Meter meter) =>
        scope.Reaching(meter.Scope, depth: 1)
        ?? ((IEnumerable<Instrument>)_instruments.GetValue(meter)!).Select(scope.OwnerOfCallbacks).FirstOrDefault(a => a is not null);
}

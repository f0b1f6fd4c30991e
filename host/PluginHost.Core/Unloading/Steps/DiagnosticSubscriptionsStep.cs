using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Reflection;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Disposes the generation's subscriptions to process-wide diagnostics: DiagnosticListener subscriptions (and
/// <see cref="DiagnosticListener.AllListeners"/> observers), ActivityListeners, MeterListeners and EventListeners whose
/// callbacks are the app's code. Each is held by a static registry until disposed; apps (and the tracing libraries
/// inside them) subscribe at start-up and rarely unsubscribe.
/// </summary>
public sealed class DiagnosticSubscriptionsStep : IUnloadStep
{
    private readonly FieldInfo _allListeners;
    private readonly FieldInfo _allListenersLock;
    private readonly FieldInfo _nextListener;
    private readonly FieldInfo _subscriptions;
    private readonly FieldInfo _nextSubscription;
    private readonly FieldInfo _observer;
    private readonly FieldInfo _allListenerObservable;
    private readonly FieldInfo _observableSubscriptions;
    private readonly FieldInfo _nextObservableSubscription;
    private readonly FieldInfo _subscriber;
    private readonly FieldInfo _activityListeners;
    private readonly FieldInfo _activityListenerArray;
    private readonly FieldInfo _meterListeners;
    private readonly PropertyInfo _meterLock;
    private readonly FieldInfo _eventListeners;
    private readonly FieldInfo _nextEventListener;
    private readonly PropertyInfo _eventListenersLock;

    public DiagnosticSubscriptionsStep()
    {
        var listener = typeof(DiagnosticListener);
        _allListeners = FrameworkInternals.StaticField(listener, "s_allListeners");
        _allListenersLock = FrameworkInternals.StaticField(listener, "s_allListenersLock");
        _nextListener = FrameworkInternals.Field(listener, "_next");
        _subscriptions = FrameworkInternals.Field(listener, "_subscriptions");
        _nextSubscription = FrameworkInternals.Field(_subscriptions.FieldType, "Next");
        _observer = FrameworkInternals.Field(_subscriptions.FieldType, "Observer");
        _allListenerObservable = FrameworkInternals.StaticField(listener, "s_allListenerObservable");
        _observableSubscriptions = FrameworkInternals.Field(_allListenerObservable.FieldType, "_subscriptions");
        _nextObservableSubscription = FrameworkInternals.Field(_observableSubscriptions.FieldType, "Next");
        _subscriber = FrameworkInternals.Field(_observableSubscriptions.FieldType, "Subscriber");
        _activityListeners = FrameworkInternals.StaticField(typeof(ActivitySource), "s_allListeners");
        _activityListenerArray = FrameworkInternals.Field(_activityListeners.FieldType, "_volatileArray");
        _meterListeners = FrameworkInternals.StaticField(typeof(MeterListener), "s_allStartedListeners");
        _meterLock = FrameworkInternals.StaticProperty(typeof(Instrument), "SyncObject");
        _eventListeners = FrameworkInternals.StaticField(typeof(EventListener), "s_Listeners");
        _nextEventListener = FrameworkInternals.Field(typeof(EventListener), "m_Next");
        _eventListenersLock = FrameworkInternals.StaticProperty(typeof(EventListener), "EventListenersLock");
    }

    public const string StepName = "diagnostic-subscriptions";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        // Observers are often the library's own wrappers around the app's callbacks: look two references deep.
        DisposeAll(report, "DiagnosticListener subscription", DiagnosticSubscriptions(),
            s => scope.OwnerOfCallbacks(s) ?? scope.Reaching(_observer.GetValue(s), depth: 2));
        DisposeAll(report, "DiagnosticListener.AllListeners observer",
            Snapshot(_allListenersLock.GetValue(null)!, AllListenersSubscriptions),
            s => scope.Reaching(_subscriber.GetValue(s), depth: 2));
        DisposeAll(report, "ActivityListener", ((Array?)_activityListenerArray.GetValue(_activityListeners.GetValue(null)))?.Cast<object>().ToList() ?? [],
            scope.OwnerOfCallbacks);
        DisposeAll(report, "MeterListener", Snapshot(_meterLock.GetValue(null)!, () => ((System.Collections.IEnumerable)_meterListeners.GetValue(null)!).Cast<object>()),
            scope.OwnerOfCallbacks);
        DisposeAll(report, "EventListener", Snapshot(_eventListenersLock.GetValue(null)!, () => FrameworkInternals.Chain(_eventListeners.GetValue(null), _nextEventListener)),
            scope.OwnerOfCallbacks);
    }

    private List<object> DiagnosticSubscriptions() =>
        Snapshot(_allListenersLock.GetValue(null)!, () =>
            FrameworkInternals.Chain(_allListeners.GetValue(null), _nextListener)
                .SelectMany(listener => FrameworkInternals.Chain(_subscriptions.GetValue(listener), _nextSubscription)));

    /// <summary>Created on first use of DiagnosticListener.AllListeners: none when nobody asked for it.</summary>
    private IEnumerable<object> AllListenersSubscriptions() =>
        _allListenerObservable.GetValue(null) is { } observable
            ? FrameworkInternals.Chain(_observableSubscriptions.GetValue(observable), _nextObservableSubscription)
            : [];

    private static List<object> Snapshot(object gate, Func<IEnumerable<object>> items)
    {
        lock (gate)
        {
            return items().ToList();
        }
    }

    /// <summary>Each item is its own IDisposable (subscription or listener): disposing it is the public way out.</summary>
    private static void DisposeAll(UnloadReport report, string what, IReadOnlyList<object> items, Func<object, string?> ownerOf)
    {
        foreach (var item in items)
        {
            if (ownerOf(item) is { } app && item is IDisposable disposable)
            {
                disposable.Dispose();
                report.Removed(app, what);
            }
        }
    }
}

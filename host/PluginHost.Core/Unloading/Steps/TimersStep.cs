using System.Reflection;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Stops timers that would keep the generation alive: a timer whose callback is the app's code, or whose state or
/// callback target leads to the app (IHttpClientFactory's handler-lifetime timers hold a scope of the app's container;
/// Microsoft.Data.Sqlite's pool-pruning timer is the library's own code). The timer queue is process-wide: an app's timer
/// outlives its container unless someone stops it.
/// </summary>
/// <remarks>
/// Timers behind tasks (Task.Delay, WaitAsync timeouts) end by themselves and may be the host's own, so they are never
/// touched; nor is a timer judged by the execution context it captured, which the host's own timers share with apps.
/// </remarks>
public sealed class TimersStep : IUnloadStep
{
    private readonly PropertyInfo _instances;
    private readonly PropertyInfo _lock;
    private readonly FieldInfo[] _lists;
    private readonly FieldInfo _next;
    private readonly FieldInfo _callback;
    private readonly FieldInfo _state;
    private readonly MethodInfo _dispose;

    public TimersStep()
    {
        var core = typeof(Timer).Assembly;
        var queue = FrameworkInternals.Type(core, "System.Threading.TimerQueue");
        var timer = FrameworkInternals.Type(core, "System.Threading.TimerQueueTimer");
        _instances = FrameworkInternals.StaticProperty(queue, "Instances");
        _lock = FrameworkInternals.Property(queue, "SharedLock");
        _lists = [FrameworkInternals.Field(queue, "_shortTimers"), FrameworkInternals.Field(queue, "_longTimers")];
        _next = FrameworkInternals.Field(timer, "_next");
        _callback = FrameworkInternals.Field(timer, "_timerCallback");
        _state = FrameworkInternals.Field(timer, "_state");
        _dispose = FrameworkInternals.Method(timer, "Dispose", []);
    }

    public const string StepName = "timers";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        foreach (var (timer, app) in Find(scope))
        {
            _dispose.Invoke(timer, null);
            report.Removed(app, $"timer ({Describe(timer)})");
        }
    }

    private List<(object Timer, string App)> Find(UnloadScope scope)
    {
        var found = new List<(object, string)>();
        foreach (var queue in (Array)_instances.GetValue(null)!)
        {
            // The queue's own lock: no timer is added or removed while its list is walked.
            using (((Lock)_lock.GetValue(queue)!).EnterScope())
            {
                foreach (var timer in _lists.SelectMany(list => FrameworkInternals.Chain(list.GetValue(queue), _next)))
                {
                    if (OwnerOf(scope, timer) is { } app)
                    {
                        found.Add((timer, app));
                    }
                }
            }
        }

        return found;
    }

    private string? OwnerOf(UnloadScope scope, object timer)
    {
        var callback = (Delegate?)_callback.GetValue(timer);
        var state = _state.GetValue(timer);
        if (state is Task || callback?.Target is Task)
        {
            return null;
        }

        return scope.AppOf(callback)
               ?? scope.Reaching(callback?.Target, depth: 3)
               ?? scope.Reaching(state, depth: 3);
    }

    private string Describe(object timer)
    {
        var callback = (Delegate?)_callback.GetValue(timer);
        var state = _state.GetValue(timer);
        return state is null
            ? $"{FrameworkInternals.LibraryOf(callback)}: {callback?.Method.DeclaringType?.Name}.{callback?.Method.Name}"
            : $"{FrameworkInternals.LibraryOf(callback)}: {state.GetType().Name}";
    }
}

using System.Reflection;
using System.Runtime.Loader;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Unhooks the generation's handlers from process-wide events: AppDomain.ProcessExit/DomainUnload/UnhandledException/
/// FirstChanceException/AssemblyResolve…, AssemblyLoadContext.Default's Resolving/Unloading, Console.CancelKeyPress,
/// TaskScheduler.UnobservedTaskException. Libraries do this inside apps (Microsoft.Data.Sqlite clears its pools on
/// ProcessExit and DomainUnload) and never unhook: the event's static storage would keep the generation alive.
/// </summary>
public sealed class StaticEventsStep : IUnloadStep
{
    private readonly IReadOnlyList<HookedEvent> _events;

    public StaticEventsStep()
    {
        var domain = AppDomain.CurrentDomain;
        var defaultContext = AssemblyLoadContext.Default;
        _events =
        [
            // AppDomain's events store their handlers in AppContext and AssemblyLoadContext; its remove accessors forward there.
            Hooked(typeof(AppDomain), domain, "ProcessExit", domain, "ProcessExit"),
            Hooked(typeof(AppDomain), domain, "DomainUnload", domain, "DomainUnload"),
            Hooked(typeof(AppContext), null, "UnhandledException", domain, "UnhandledException"),
            Hooked(typeof(AppContext), null, "FirstChanceException", domain, "FirstChanceException"),
            Hooked(typeof(AssemblyLoadContext), null, "AssemblyLoad", domain, "AssemblyLoad"),
            Hooked(typeof(AssemblyLoadContext), null, "AssemblyResolve", domain, "AssemblyResolve"),
            Hooked(typeof(AssemblyLoadContext), null, "TypeResolve", domain, "TypeResolve"),
            Hooked(typeof(AssemblyLoadContext), null, "ResourceResolve", domain, "ResourceResolve"),
            Hooked(typeof(AssemblyLoadContext), defaultContext, "_resolving", defaultContext, "Resolving"),
            Hooked(typeof(AssemblyLoadContext), defaultContext, "_resolvingUnmanagedDll", defaultContext, "ResolvingUnmanagedDll"),
            Hooked(typeof(AssemblyLoadContext), defaultContext, "_unloading", defaultContext, "Unloading"),
            Hooked(typeof(Console), null, "s_cancelCallbacks", null, nameof(Console.CancelKeyPress)),
            Hooked(typeof(TaskScheduler), null, "UnobservedTaskException", null, nameof(TaskScheduler.UnobservedTaskException)),
        ];
    }

    public const string StepName = "static-events";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        foreach (var hooked in _events)
        {
            if (hooked.Storage.GetValue(hooked.StorageOwner) is not Delegate handlers)
            {
                continue;
            }

            foreach (var handler in handlers.GetInvocationList())
            {
                if (scope.AppOf(handler) is { } app)
                {
                    hooked.Remove.Invoke(hooked.EventOwner, [handler]);
                    report.Removed(app, $"{hooked.Name} handler ({FrameworkInternals.LibraryOf(handler)})");
                }
            }
        }
    }

    private static HookedEvent Hooked(Type storageType, object? storageOwner, string storageField, object? eventOwner, string eventName)
    {
        var storage = storageOwner is null ? FrameworkInternals.StaticField(storageType, storageField) : FrameworkInternals.Field(storageType, storageField);
        var eventType = eventOwner?.GetType() ?? storageType;
        var remove = eventType.GetEvent(eventName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)?.GetRemoveMethod(nonPublic: true)
                     ?? throw new MissingFrameworkInternalException($"{eventType.FullName}.{eventName}");
        return new HookedEvent($"{eventType.Name}.{eventName}", storage, storageOwner, remove, eventOwner);
    }

    /// <summary>Where an event's handlers are stored, and the (thread-safe) accessor that removes one.</summary>
    private sealed record HookedEvent(string Name, FieldInfo Storage, object? StorageOwner, MethodInfo Remove, object? EventOwner);
}

using System.Reflection;
using System.Reflection.Metadata;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Calls <c>ClearCache</c> of every <see cref="MetadataUpdateHandlerAttribute"/> handler of the loaded shared-framework
/// assemblies: the mechanism .NET hot reload uses to make the framework drop what it cached about types
/// (System.Text.Json metadata, MVC's and routing's property helpers, ActivatorUtilities, TypeDescriptor's reflection
/// caches, …). Assemblies loaded later are picked up on the next run.
/// </summary>
/// <remarks>
/// Two handlers are left out, on purpose:
/// <list type="bullet">
/// <item>The runtime's own (<c>RuntimeTypeMetadataUpdateHandler</c>) drops the reflection caches of the types named, and of
/// every type as soon as one of them is an attribute (every app defines some): the serving generation then gets new
/// MethodInfo objects that no longer equal those its libraries keyed their caches by (EF Core's query translation failed
/// so). Hot reload can afford it: it makes member equality compare contents. The caches of collectible types go with their context anyway.</item>
/// <item>The <c>HotReloadService</c>s of MVC and Razor components do not drop caches: they tell every live app to rebuild
/// its endpoints, which would make the serving generation redo its start-up work at each retirement.</item>
/// </list>
/// The others are told an empty list of updated types, never "everything" (null) and never the generation's own types:
/// every one of them clears its whole cache whatever the list says, except TypeDescriptor's, which refreshes each type
/// named, and its per-type state is removed by key by the type-descriptor and framework-caches steps. Naming the
/// generation's types meant <c>Assembly.GetTypes()</c> over its whole dependency graph (4,700 types for an MVC + EF
/// Core app) at every retirement, forcing types to load that the app never used: .NET 10.0.12's type loader crashed
/// there now and then (an invalid RuntimeType in that array) after dozens of reloads of such an app.
/// </remarks>
public sealed class MetadataUpdateHandlersStep : IUnloadStep
{
    private static readonly string[] LeftOut = ["System.Reflection.Metadata.RuntimeTypeMetadataUpdateHandler", "HotReloadService"];
    private readonly HashSet<Assembly> _scanned = [];
    private readonly List<MethodInfo> _clearCache = [];

    public const string StepName = "metadata-update-handlers";

    public string Name => StepName;

    /// <summary>The handler types found so far (for diagnostics and tests).</summary>
    public IReadOnlyList<string> Handlers => [.. _clearCache.Select(m => m.DeclaringType!.FullName!)];

    public void Run(UnloadScope scope, UnloadReport report)
    {
        Scan();
        foreach (var clear in _clearCache)
        {
            clear.Invoke(null, [Type.EmptyTypes]);
        }
    }

    /// <summary>Whether a handler is one of those deliberately not called (see the remarks).</summary>
    public static bool IsLeftOut(Type handler) =>
        LeftOut.Any(name => handler.FullName == name || handler.Name == name);

    /// <summary>Finds the handlers of host assemblies not scanned yet.</summary>
    public void Scan()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => SharedAssemblies.IsFramework(a) && _scanned.Add(a)))
        {
            foreach (var attribute in assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>().Where(a => !IsLeftOut(a.HandlerType)))
            {
                if (attribute.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]) is { } clear)
                {
                    _clearCache.Add(clear);
                }
            }
        }
    }
}

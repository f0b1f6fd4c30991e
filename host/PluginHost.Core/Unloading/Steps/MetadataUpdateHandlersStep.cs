using System.Reflection;
using System.Reflection.Metadata;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Calls <c>ClearCache</c> of every <see cref="MetadataUpdateHandlerAttribute"/> handler of the host's (non-collectible)
/// assemblies: the mechanism .NET hot reload uses to make the framework drop what it cached about changed types
/// (System.Text.Json metadata, TypeDescriptor and reflection caches, …). Assemblies loaded later are picked up on the next run.
/// </summary>
public sealed class MetadataUpdateHandlersStep : IUnloadStep
{
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
            clear.Invoke(null, [null]);
        }
    }

    /// <summary>Finds the handlers of host assemblies not scanned yet.</summary>
    public void Scan()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsCollectible && _scanned.Add(a)))
        {
            foreach (var attribute in assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>())
            {
                if (attribute.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]) is { } clear)
                {
                    _clearCache.Add(clear);
                }
            }
        }
    }
}

using System.Reflection;
using System.Reflection.Metadata;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Calls <c>ClearCache</c> of every <see cref="MetadataUpdateHandlerAttribute"/> handler of the host's (non-collectible)
/// assemblies, naming the generation's types as the "updated" ones: the mechanism .NET hot reload uses to make the
/// framework drop what it cached about those types (System.Text.Json metadata, TypeDescriptor and reflection caches, …).
/// Assemblies loaded later are picked up on the next run.
/// </summary>
/// <remarks>
/// Never with null ("everything changed"): the runtime's own handler would then drop the reflection caches of every
/// type, so the serving generation would get new MethodInfo objects that no longer equal the ones its libraries keyed
/// their caches by (EF Core's query translation failed exactly so): hot reload can afford that, as it makes member
/// equality compare contents, an ordinary process cannot.
/// </remarks>
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
        Type[] retiring = [.. scope.Types];
        if (retiring.Length == 0)
        {
            return;
        }

        foreach (var clear in _clearCache)
        {
            clear.Invoke(null, [retiring]);
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

using System.Collections;
using System.ComponentModel;
using System.Reflection;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Makes System.ComponentModel.TypeDescriptor (used by configuration binding for every options type, and by MVC model
/// binding and Razor Pages) forget the generation's types. Its reflection provider keeps a per-type dictionary that no
/// hot-reload handler and no public API empties (<see cref="TypeDescriptor.Refresh(Assembly)"/> does not): entries whose
/// type belongs to the generation are removed from it. The static per-type tables are emptied by the framework-caches step.
/// </summary>
public sealed class TypeDescriptorStep : IUnloadStep
{
    public const string StepName = "type-descriptor";
    private readonly FieldInfo _providerTable;
    private readonly FieldInfo _nodeProvider;
    private readonly FieldInfo _nodeNext;
    private readonly FieldInfo _typeData;

    public TypeDescriptorStep()
    {
        var assembly = typeof(TypeDescriptor).Assembly;
        var node = FrameworkInternals.Type(assembly, "System.ComponentModel.TypeDescriptor+TypeDescriptionNode");
        _providerTable = FrameworkInternals.StaticField(typeof(TypeDescriptor), "s_providerTable");
        _nodeProvider = FrameworkInternals.Field(node, "Provider");
        _nodeNext = FrameworkInternals.Field(node, "Next");
        _typeData = FrameworkInternals.Field(FrameworkInternals.Type(assembly, "System.ComponentModel.ReflectTypeDescriptionProvider"), "_typeData");
    }

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        foreach (var typeData in ReflectionProviderCaches())
        {
            foreach (var type in typeData.Keys.Cast<Type>().ToList())
            {
                if (scope.AppOf(type) is { } app)
                {
                    typeData.Remove(type);
                    report.Removed(app, "TypeDescriptor type data");
                }
            }
        }
    }

    /// <summary>The per-type dictionaries of every reflection provider registered in TypeDescriptor's provider table.</summary>
    private IEnumerable<IDictionary> ReflectionProviderCaches()
    {
        var table = (Hashtable)_providerTable.GetValue(null)!;
        List<object> nodes;
        lock (table.SyncRoot)
        {
            nodes = table.Values.Cast<object>().ToList();
        }

        return nodes
            .SelectMany(node => FrameworkInternals.Chain(node, _nodeNext))
            .Select(node => _nodeProvider.GetValue(node))
            .Where(provider => provider is not null && _typeData.DeclaringType!.IsInstanceOfType(provider))
            .Distinct(ReferenceEqualityComparer.Instance)
            .Select(provider => (IDictionary)_typeData.GetValue(provider)!);
    }
}

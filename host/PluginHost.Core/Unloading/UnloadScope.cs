using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace PluginHost.Core.Unloading;

/// <summary>One app of a retiring generation, as the unload hygiene sees it: its context and its root container.</summary>
public sealed record RetiringApp(string Name, AssemblyLoadContext Context, object? Container);

/// <summary>
/// What a retiring generation left behind, and the one question every hygiene step asks: does this object belong to it?
/// An object belongs when it is (or its type, method or assembly comes from) one of the generation's load contexts, or
/// when it is one of the generation's root containers. Held strongly only while the steps run.
/// </summary>
public sealed class UnloadScope
{
    private const int MaxObjectsPerWalk = 20_000;
    private const int MaxArrayElements = 256;
    private readonly Dictionary<AssemblyLoadContext, string> _apps;
    private readonly Dictionary<object, string> _containers;
    // Per scope, never static: a static cache of fields of the app's types would itself keep the context alive.
    private readonly Dictionary<Type, FieldInfo[]> _fields = [];

    public UnloadScope(IReadOnlyList<RetiringApp> apps)
    {
        ArgumentNullException.ThrowIfNull(apps);
        Apps = apps;
        _apps = apps.ToDictionary(a => a.Context, a => a.Name);
        _containers = apps.Where(a => a.Container is not null).ToDictionary(a => a.Container!, a => a.Name, ReferenceEqualityComparer.Instance);
    }

    public IReadOnlyList<RetiringApp> Apps { get; }

    /// <summary>The app whose context loaded <paramref name="assembly"/>, or null.</summary>
    public string? AppOf(Assembly? assembly) =>
        assembly is { IsCollectible: true } && AssemblyLoadContext.GetLoadContext(assembly) is { } context && _apps.TryGetValue(context, out var app)
            ? app
            : null;

    /// <summary>The app owning a type of the generation, or a constructed type over one (<c>List&lt;TheAppsType&gt;</c>).</summary>
    public string? AppOf(Type? type)
    {
        if (type is null || !type.IsCollectible)
        {
            return null;
        }

        return AppOf(type.Assembly)
               ?? (type.HasElementType ? AppOf(type.GetElementType()) : null)
               ?? (type.IsConstructedGenericType ? type.GenericTypeArguments.Select(AppOf).FirstOrDefault(a => a is not null) : null);
    }

    public string? AppOf(MemberInfo? member) => member switch
    {
        null => null,
        Type type => AppOf(type),
        _ => AppOf(member.Module.Assembly) ?? AppOf(member.DeclaringType),
    };

    /// <summary>The app owning any target or method of a delegate's invocation list.</summary>
    public string? AppOf(Delegate? handler) =>
        handler?.GetInvocationList().Select(d => AppOf(d.Method) ?? OwnerOf(d.Target)).FirstOrDefault(a => a is not null);

    public bool Owns(Type? type) => AppOf(type) is not null;

    public bool Owns(Delegate? handler) => AppOf(handler) is not null;

    /// <summary>The app the object itself belongs to (no walk into its fields), or null.</summary>
    public string? OwnerOf(object? value) => value switch
    {
        null => null,
        Type type => AppOf(type),
        MemberInfo member => AppOf(member),
        ParameterInfo parameter => AppOf(parameter.Member),
        Assembly assembly => AppOf(assembly),
        Module module => AppOf(module.Assembly),
        AssemblyLoadContext context => _apps.GetValueOrDefault(context),
        Delegate handler => AppOf(handler),
        _ => _containers.GetValueOrDefault(value) ?? AppOf(value.GetType()),
    };

    /// <summary>
    /// The app owning a registry item (a listener, an instrument): its type, or the delegates in its fields. Link
    /// fields to other items are not followed, so a neighbour in the registry is never mistaken for the app's.
    /// </summary>
    public string? OwnerOfCallbacks(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return AppOf(item.GetType())
               ?? FieldsOf(item.GetType())
                   .Where(f => f.FieldType == typeof(object) || typeof(Delegate).IsAssignableFrom(f.FieldType))
                   .Select(f => f.GetValue(item))
                   .OfType<Delegate>()
                   .Select(AppOf)
                   .FirstOrDefault(a => a is not null);
    }

    /// <summary>
    /// The app that <paramref name="root"/> leads to within <paramref name="depth"/> references, or null: e.g. a framework
    /// timer whose state holds a scope of the app's container. Bounded, so it stays cheap.
    /// </summary>
    public string? Reaching(object? root, int depth = 3)
    {
        if (root is null)
        {
            return null;
        }

        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { root };
        var level = new List<object> { root };
        for (var d = 0; d <= depth && level.Count > 0; d++)
        {
            var next = new List<object>();
            foreach (var value in level)
            {
                if (OwnerOf(value) is { } app)
                {
                    return app;
                }

                if (d < depth)
                {
                    next.AddRange(References(value).Where(child => seen.Count < MaxObjectsPerWalk && seen.Add(child)));
                }
            }

            level = next;
        }

        return null;
    }

    private IEnumerable<object> References(object value)
    {
        if (value is string or Type or MemberInfo or Assembly or Module or Pointer)
        {
            yield break;
        }

        if (value is Array array)
        {
            // Structs are walked boxed: an array of KeyValuePair<IAsyncLocal, object> holds references too.
            if (array.Rank == 1 && MayHoldReferences(array.GetType().GetElementType()!))
            {
                foreach (var item in array.Cast<object?>().Take(MaxArrayElements).OfType<object>())
                {
                    yield return item;
                }
            }

            yield break;
        }

        foreach (var field in FieldsOf(value.GetType()))
        {
            if (field.GetValue(value) is { } child)
            {
                yield return child;
            }
        }
    }

    private static bool MayHoldReferences(Type type) =>
        !type.IsPrimitive && !type.IsEnum && !type.IsPointer && type != typeof(string) && type != typeof(decimal);

    /// <summary>The instance fields of a type and its bases that may hold references.</summary>
    private FieldInfo[] FieldsOf(Type type)
    {
        if (!_fields.TryGetValue(type, out var fields))
        {
            var all = new List<FieldInfo>();
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                all.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                    .Where(f => MayHoldReferences(f.FieldType)));
            }

            fields = [.. all];
            _fields[type] = fields;
        }

        return fields;
    }
}

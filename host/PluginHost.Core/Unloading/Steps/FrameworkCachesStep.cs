using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Removes the generation's entries from the host's static caches keyed (or valued) by types, members or objects:
/// the caches that no hot-reload handler clears. Found generically, once per assembly, by their declared types: a
/// static dictionary field whose key or value can hold a <see cref="Type"/>, member, delegate or object
/// (PropertyHelper's and RouteValueDictionary's property caches, TypeDescriptor's tables, AppContext's data), and a
/// static field holding an object with such dictionaries (every copy of ASP.NET Core's ParameterBindingMethodCache,
/// a shared-source class compiled into several assemblies). An entry goes when its key or value belongs to the generation.
/// </summary>
public sealed class FrameworkCachesStep : IUnloadStep
{
    private const BindingFlags Statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private const BindingFlags Instances = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    // The framework's caches are the same for every host in the process: found once, shared.
    private static readonly HashSet<Assembly> Scanned = [];
    private static readonly List<CacheField> Found = [];
    private static readonly Lock ScanLock = new();

    public const string StepName = "framework-caches";

    public string Name => StepName;

    /// <summary>The caches found so far, as "Assembly: Type.field[.inner]" (for diagnostics and tests).</summary>
    public IReadOnlyList<string> Caches
    {
        get
        {
            lock (ScanLock)
            {
                return [.. Found.Select(c => c.ToString())];
            }
        }
    }

    public void Run(UnloadScope scope, UnloadReport report)
    {
        foreach (var cache in Scan())
        {
            foreach (var dictionary in cache.Dictionaries())
            {
                var removed = RemoveOwnedEntries(scope, dictionary);
                foreach (var (app, count) in removed)
                {
                    report.Removed(app, $"{cache.Label} ×{count}");
                }
            }
        }
    }

    /// <summary>
    /// Finds the caches of shared-framework assemblies not scanned yet (metadata only; values are read when a run needs
    /// them) and returns every cache found so far.
    /// </summary>
    public IReadOnlyList<CacheField> Scan()
    {
        lock (ScanLock)
        {
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => SharedAssemblies.IsFramework(a) && Scanned.Add(a)))
            {
                ScanAssembly(assembly);
            }

            return [.. Found];
        }
    }

    private static void ScanAssembly(Assembly assembly)
    {
        foreach (var type in LoadableTypes(assembly).Where(t => !t.ContainsGenericParameters))
        {
            foreach (var field in type.GetFields(Statics).Where(IsCandidate))
            {
                if (IsCache(field.FieldType))
                {
                    Found.Add(new CacheField(field, Inner: null));
                }
                else if (CacheHolder(field.FieldType, assembly) is { Count: > 0 } inner)
                {
                    Found.Add(new CacheField(field, inner));
                }
            }
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    private static bool IsCandidate(FieldInfo field) =>
        !field.IsLiteral && !field.FieldType.IsValueType && field.GetCustomAttribute<ThreadStaticAttribute>() is null;

    /// <summary>A mutable dictionary whose keys or values can hold something of an app.</summary>
    private static bool IsCache(Type type)
    {
        if (!typeof(IDictionary).IsAssignableFrom(type) || type.IsAbstract && !type.IsInterface || IsImmutable(type))
        {
            return false;
        }

        if (type == typeof(Hashtable) || type.IsSubclassOf(typeof(Hashtable)))
        {
            return true;
        }

        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary is not null && dictionary.GenericTypeArguments.Any(MayHoldAppObjects);
    }

    private static bool IsImmutable(Type type) =>
        type.Namespace is "System.Collections.Immutable" or "System.Collections.Frozen";

    private static bool MayHoldAppObjects(Type type) =>
        type == typeof(object)
        || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(ParameterInfo).IsAssignableFrom(type)
        || typeof(Assembly).IsAssignableFrom(type)
        || typeof(Delegate).IsAssignableFrom(type)
        || (type.IsValueType && type.IsGenericType && type.GenericTypeArguments.Any(MayHoldAppObjects));

    /// <summary>The dictionary fields of an object held in a static field: e.g. ParameterBindingMethodCache.NonThrowingInstance.</summary>
    private static List<FieldInfo>? CacheHolder(Type type, Assembly assembly) =>
        type.IsClass && !type.IsArray && type.Assembly == assembly && !type.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(type)
            ? [.. type.GetFields(Instances).Where(f => IsCache(f.FieldType))]
            : null;

    private static Dictionary<string, int> RemoveOwnedEntries(UnloadScope scope, IDictionary dictionary)
    {
        if (IsConcurrent(dictionary))
        {
            return Remove(dictionary, OwnedKeys(scope, dictionary));
        }

        // Guarded by the dictionary's own lock, as owners of Hashtables do. An owner that locks something else may still
        // change it under the walk: then it is left for the next retirement.
        lock (dictionary.SyncRoot)
        {
            try
            {
                return Remove(dictionary, OwnedKeys(scope, dictionary));
            }
            catch (InvalidOperationException)
            {
                return [];
            }
        }
    }

    private static bool IsConcurrent(IDictionary dictionary) =>
        dictionary.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(System.Collections.Concurrent.ConcurrentDictionary<,>);

    private static Dictionary<string, int> Remove(IDictionary dictionary, List<(object Key, string App)> owned)
    {
        var removed = new Dictionary<string, int>();
        foreach (var (key, app) in owned)
        {
            dictionary.Remove(key);
            removed[app] = removed.GetValueOrDefault(app) + 1;
        }

        return removed;
    }

    private static List<(object Key, string App)> OwnedKeys(UnloadScope scope, IDictionary dictionary)
    {
        var owned = new List<(object, string)>();
        var entries = dictionary.GetEnumerator();
        while (entries.MoveNext())
        {
            var entry = entries.Entry;
            if ((scope.Reaching(entry.Key, depth: 1) ?? scope.OwnerOf(entry.Value)) is { } app)
            {
                owned.Add((entry.Key, app));
            }
        }

        return owned;
    }

    /// <summary>A static field holding a cache, or holding an object whose <paramref name="Inner"/> fields are caches.</summary>
    public sealed record CacheField(FieldInfo Static, IReadOnlyList<FieldInfo>? Inner)
    {
        public string Label => $"{Static.DeclaringType!.Name}.{Static.Name}";

        public IEnumerable<IDictionary> Dictionaries()
        {
            object? holder;
            try
            {
                holder = Static.GetValue(null);
            }
            catch (TargetInvocationException)
            {
                // A type whose initializer fails here was unusable anyway; it holds nothing of an app.
                yield break;
            }

            if (Inner is null)
            {
                if (holder is IDictionary dictionary)
                {
                    yield return dictionary;
                }

                yield break;
            }

            if (holder is null)
            {
                yield break;
            }

            foreach (var field in Inner)
            {
                if (field.GetValue(holder) is IDictionary dictionary)
                {
                    yield return dictionary;
                }
            }
        }

        public override string ToString() =>
            $"{Static.DeclaringType!.Assembly.GetName().Name}: {Static.DeclaringType.FullName}.{Static.Name}" +
            (Inner is null ? "" : $" ({string.Join(", ", Inner.Select(f => f.Name))})");
    }
}

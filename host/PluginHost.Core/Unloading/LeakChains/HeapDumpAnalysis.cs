using Microsoft.Diagnostics.Runtime;

namespace PluginHost.Core.Unloading.LeakChains;

/// <summary>
/// Reads a heap dump of the host's own process with ClrMD and finds, for each leaked load context, the GC root paths that
/// keep objects of that context alive: the same walk as dotnet-dump's <c>gcroot</c>, named for people.
/// </summary>
internal sealed class HeapDumpAnalysis : IDisposable
{
    private const string LoadContextType = "System.Runtime.Loader.AssemblyLoadContext";
    private const string LoaderAllocatorType = "System.Reflection.LoaderAllocator";
    /// <summary>Each search can walk the whole heap: a bound for a context reached from very many roots that explain nothing.</summary>
    private const int MaxSearches = 20;
    private readonly DataTarget _target;
    private readonly ClrRuntime _runtime;
    private Dictionary<ulong, string>? _staticFields;
    private Dictionary<int, string>? _threadNames;

    public HeapDumpAnalysis(string dumpPath)
    {
        _target = DataTarget.LoadDump(dumpPath);
        // The runtime's own DAC beside it: a minidump carries no version for ClrMD to match on.
        var dac = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
        _runtime = _target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
    }

    private ClrHeap Heap => _runtime.Heap;

    /// <summary>The chains (up to <paramref name="maxChains"/> each) that hold the contexts numbered <paramref name="contextIds"/>.</summary>
    public Dictionary<long, IReadOnlyList<LeakChain>> FindChains(IReadOnlyCollection<long> contextIds, int maxChains, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, IReadOnlyList<LeakChain>>();
        foreach (var (address, id) in FindContexts(contextIds))
        {
            result[id] = ChainsTo(address, maxChains, cancellationToken);
        }

        return result;
    }

    private Dictionary<ulong, long> FindContexts(IReadOnlyCollection<long> ids)
    {
        var found = new Dictionary<ulong, long>();
        foreach (var obj in Heap.EnumerateObjects())
        {
            if (obj.Type is { } type && IsLoadContext(type) && obj.TryReadField<long>("_id", out var id) && ids.Contains(id))
            {
                found[obj.Address] = id;
            }
        }

        return found;
    }

    private static bool IsLoadContext(ClrType type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == LoadContextType)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Walks from each root that can explain a leak to the objects of the context. A fresh search follows every path found:
    /// ClrMD's GCRoot keeps one visited set across roots, and a found path leaves the objects it had queued but not walked
    /// marked visited, which can hide a later root's path through them. Roots that explain nothing are skipped before any
    /// walk, so they never take a path away from one that does.
    /// </summary>
    private List<LeakChain> ChainsTo(ulong context, int maxChains, CancellationToken cancellationToken)
    {
        var chains = new List<LeakChain>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var search = NewSearch(context);
        var searches = 1;
        foreach (var root in Heap.EnumerateRoots())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!CanExplain(root) || search.FindPathFrom(root.Object, cancellationToken) is not { } link)
            {
                continue;
            }

            var chain = Describe(root, link);
            // A statics array no static field of a host type points into is a collectible type's own: no cause either.
            var explains = root.RootKind != ClrRootKind.StaticVar || chain.Root.StartsWith("static ", StringComparison.Ordinal);
            if (explains && seen.Add(chain.ToString()))
            {
                chains.Add(chain);
            }

            if (chains.Count >= maxChains || searches >= MaxSearches)
            {
                break;
            }

            search = NewSearch(context);
            searches++;
        }

        return chains;
    }

    private GCRoot NewSearch(ulong context) =>
        new(Heap, o => o.Type is { IsCollectible: true } t && t.AssemblyLoadContextAddress == context);

    /// <summary>
    /// Roots that are no cause: a stack slot that only looks like a reference (stack roots are reported conservatively),
    /// unlike a thread running the app's code; type objects of collectible types, the allocators of contexts still alive
    /// (the serving generation) and the statics of collectible types, which live only as long as their own context does.
    /// </summary>
    private bool CanExplain(ClrRoot root) => root switch
    {
        ClrStackRoot stack => stack.StackFrame?.Method?.Type is { IsCollectible: true },
        { RootKind: ClrRootKind.StaticVar } => !IsCollectibleTypeObject(root.Object) && HoldsHostStatic(root.Object),
        _ => root.Object.Type?.Name is not LoaderAllocatorType,
    };

    /// <summary>Whether the object is, or directly holds, the value of a host type's static field (what names a static root).</summary>
    private bool HoldsHostStatic(ClrObject obj) =>
        StaticFields().ContainsKey(obj.Address) || obj.EnumerateReferenceAddresses().Any(StaticFields().ContainsKey);

    /// <summary>A System.RuntimeType of a collectible type: it keeps its context's allocator alive (m_keepalive).</summary>
    private static bool IsCollectibleTypeObject(ClrObject obj) =>
        obj.IsRuntimeType
        && (obj.AsRuntimeType() is { IsCollectible: true } || (obj.TryReadObjectField("m_keepalive", out var keepAlive) && !keepAlive.IsNull));

    private LeakChain Describe(ClrRoot root, GCRoot.ChainLink? link)
    {
        var objects = new List<ClrObject>();
        for (var l = link; l is not null; l = l.Next)
        {
            objects.Add(Heap.GetObject(l.Object));
        }

        // Statics live in arrays held by handles: name the static field that holds the first object instead.
        var start = 0;
        var rootText = DescribeRoot(root);
        for (var i = 0; i < objects.Count && i < 2; i++)
        {
            if (StaticFields().TryGetValue(objects[i].Address, out var field))
            {
                rootText = $"static {field}";
                start = i;
                break;
            }
        }

        var path = new List<string>();
        for (var i = start; i < objects.Count; i++)
        {
            var name = TypeName(objects[i]);
            path.Add(i == start ? name : $"{FieldBetween(objects[i - 1], objects[i])}: {name}");
        }

        return new LeakChain(rootText, path);
    }

    private string DescribeRoot(ClrRoot root) => root switch
    {
        ClrStackRoot { StackFrame: { } frame } => $"thread {ThreadName(frame.Thread)} running {frame.Method?.Signature ?? frame.FrameName}",
        _ => $"{root.RootKind} handle",
    };

    private static string TypeName(ClrObject obj)
    {
        var type = obj.Type;
        var name = type?.Name ?? "?";
        return type is { IsCollectible: true, Module: { } module } ? $"{name} [{Path.GetFileNameWithoutExtension(module.Name ?? module.AssemblyName)}]" : name;
    }

    private static string FieldBetween(ClrObject from, ClrObject to)
    {
        foreach (var reference in from.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: true))
        {
            if (reference.Object.Address == to.Address)
            {
                return reference.IsArrayElement ? "[]" : reference.Field?.Name ?? "(dependent)";
            }
        }

        return "?";
    }

    /// <summary>Every object held by a static field of a non-collectible type, named "Type.field (Assembly)".</summary>
    private Dictionary<ulong, string> StaticFields()
    {
        if (_staticFields is not null)
        {
            return _staticFields;
        }

        _staticFields = [];
        var domain = _runtime.AppDomains.FirstOrDefault() ?? _runtime.SharedDomain;
        foreach (var module in _runtime.EnumerateModules())
        {
            foreach (var type in module.EnumerateTypesWithStaticFields().Where(t => !t.IsCollectible))
            {
                foreach (var field in type.StaticFields.Where(f => f.IsObjectReference))
                {
                    if (domain is not null && field.ReadObject(domain) is { IsNull: false } value)
                    {
                        var assembly = module.AssemblyName is { } a ? Path.GetFileNameWithoutExtension(a) : "?";
                        _staticFields.TryAdd(value.Address, $"{type.Name}.{field.Name} ({assembly})");
                    }
                }
            }
        }

        return _staticFields;
    }

    private string ThreadName(ClrThread? thread)
    {
        if (thread is null)
        {
            return "?";
        }

        _threadNames ??= Heap.EnumerateObjects()
            .Where(o => o.Type?.Name == "System.Threading.Thread")
            .Select(o => (Id: o.ReadField<int>("_managedThreadId"), Name: o.ReadStringField("_name")))
            .Where(t => t.Name is not null)
            .GroupBy(t => t.Id)
            .ToDictionary(g => g.Key, g => g.First().Name!);
        return _threadNames.TryGetValue(thread.ManagedThreadId, out var name) ? $"'{name}' ({thread.ManagedThreadId})" : $"{thread.ManagedThreadId}";
    }

    public void Dispose()
    {
        _runtime.Dispose();
        _target.Dispose();
    }
}

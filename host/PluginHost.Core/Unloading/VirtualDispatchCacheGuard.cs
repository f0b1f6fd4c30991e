using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PluginHost.Core.Unloading;

/// <summary>
/// Works around a .NET 10 runtime defect that crashes a process which unloads collectible contexts again and again
/// (dotnet/runtime#132562). The runtime caches resolved generic virtual calls process-wide, keyed by raw type and method
/// addresses, and "flushes" that cache when a context's loader memory is freed by pointing it at a small sentinel table.
/// The cache recognises its sentinel by a length the sentinel does not have, so calls made right after a flush are stored
/// <em>in the sentinel</em>, and no later flush ever drops them. Once their context is unloaded, a type of a newer
/// generation allocated at the same address finds the old generation's freed code: the host crashes (SIGSEGV in generic
/// lookups, reflection or type loading) after some hundreds of reloads of an app like EF Core + MVC.
/// </summary>
/// <remarks>
/// The guard marks the sentinel's entries as permanently "being written" (an odd version). Readers then never accept them,
/// and writers never claim them: a write that finds the sentinel grows into a fresh table, which is what the runtime meant
/// to do. Nothing else about the cache changes. The guard checks the defect is there (the sentinel's length and the
/// length the cache tests for) and does nothing on a runtime where it is fixed or the internals moved.
/// </remarks>
public static class VirtualDispatchCacheGuard
{
    private const BindingFlags Instance = BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>An odd version: the entry reads as a write in progress, for ever.</summary>
    private const uint Claimed = 1;

    private static readonly Lazy<string> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the guard once per process; returns what it found, for the start-up log.</summary>
    public static string EnsureApplied() => Applied.Value;

    private static string Apply()
    {
        if (FindSentinel() is not { } sentinel)
        {
            return "virtual dispatch cache: nothing to guard on this runtime";
        }

        Poison(sentinel);
        return $"virtual dispatch cache: guarded its flush sentinel against stale entries (dotnet/runtime#132562, .NET {Environment.Version})";
    }

    /// <summary>The sentinel table of the runtime's virtual dispatch cache, if this runtime has the defect.</summary>
    internal static Array? FindSentinel()
    {
        var field = typeof(object).Assembly
            .GetType("System.Runtime.CompilerServices.VirtualDispatchHelpers")
            ?.GetField("s_virtualFunctionPointerCache", BindingFlags.NonPublic | BindingFlags.Static);
        var cacheType = field?.FieldType;
        if (field is null || cacheType?.GetField("_sentinelTable", Instance) is not { } sentinelField
            || cacheType.GetMethod("TrySet", Instance) is not { } trySet)
        {
            return null;
        }

        // A boxed copy of the cache struct, but the sentinel array it names is the cache's own.
        var sentinel = (Array?)sentinelField.GetValue(field.GetValue(null));
        return sentinel is not null && sentinel.Length != 2 && TestsForLengthTwo(trySet) ? sentinel : null;
    }

    /// <summary>The entries of the sentinel (element 0 holds the table's own data) that a lookup could accept.</summary>
    internal static int AcceptableEntries(Array sentinel)
    {
        var count = 0;
        for (var index = 1; index < sentinel.Length; index++)
        {
            var version = Version(sentinel, index);
            count += version != 0 && version % 2 == 0 ? 1 : 0;
        }

        return count;
    }

    private static void Poison(Array sentinel)
    {
        for (var index = 1; index < sentinel.Length; index++)
        {
            Interlocked.Exchange(ref Version(sentinel, index), Claimed);
        }
    }

    /// <summary>An entry's version: the first field of each element (its EntryInfo, at offset 0).</summary>
    private static ref uint Version(Array table, int index)
    {
        var elementSize = RuntimeHelpers.SizeOf(table.GetType().GetElementType()!.TypeHandle);
        return ref Unsafe.As<byte, uint>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table), index * elementSize));
    }

    /// <summary>Whether TrySet recognises the sentinel by <c>table.Length == 2</c> (ldlen; conv.i4; ldc.i4.2).</summary>
    private static bool TestsForLengthTwo(MethodInfo trySet)
    {
        var il = trySet.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (var i = 0; i + 2 < il.Length; i++)
        {
            if (il[i] == OpCodes.Ldlen.Value && il[i + 1] == OpCodes.Conv_I4.Value && il[i + 2] == OpCodes.Ldc_I4_2.Value)
            {
                return true;
            }
        }

        return false;
    }
}

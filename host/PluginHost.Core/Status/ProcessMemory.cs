namespace PluginHost.Core.Status;

/// <summary>
/// The host process's memory, for spotting retired generations that were not collected (the benchmarks read it
/// across many reloads). Cheap to take: it forces no collection, it reports the one the unload tracker last forced.
/// </summary>
/// <param name="GcHeapBytes">Managed heap now, including garbage not yet collected.</param>
/// <param name="GcHeapAfterFullGcBytes">Managed heap right after the last full blocking collection; null before the first.</param>
/// <param name="FullGcCount">Full (generation 2) collections so far.</param>
/// <param name="WorkingSetBytes">Physical memory mapped to the process (RSS).</param>
/// <param name="Assemblies">Assemblies loaded in every load context, collectible ones still alive included.</param>
/// <param name="GcCommittedBytes">Memory the GC has committed (its heap, free space it keeps and its bookkeeping): the managed part of RSS.</param>
/// <param name="NativeHeap">The C heap (glibc's arenas): in use and kept free; null where the C library cannot tell.</param>
/// <param name="AllocatedBytes">Managed bytes allocated since the process started (the benchmarks divide it by requests).</param>
public sealed record ProcessMemory(long GcHeapBytes, long? GcHeapAfterFullGcBytes, int FullGcCount, long WorkingSetBytes, int Assemblies, long GcCommittedBytes,
    NativeHeap? NativeHeap = null, long AllocatedBytes = 0)
{
    public static ProcessMemory Read()
    {
        var lastFull = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return new ProcessMemory(
            GC.GetTotalMemory(forceFullCollection: false),
            lastFull.Index == 0 ? null : lastFull.HeapSizeBytes,
            GC.CollectionCount(2),
            Environment.WorkingSet,
            AppDomain.CurrentDomain.GetAssemblies().Length,
            GC.GetGCMemoryInfo().TotalCommittedBytes,
            NativeHeap.Read(),
            GC.GetTotalAllocatedBytes());
    }
}

using System.Runtime.InteropServices;

namespace PluginHost.Core.Status;

/// <summary>
/// The C heap as glibc's allocator sees it (all arenas): what the runtime and native libraries hold, and what is free
/// inside the arenas but not given back. With the GC's committed bytes it splits RSS into managed, native in use, native
/// free (fragmentation) and the rest (mapped files, the runtime's own mappings such as code and loader heaps).
/// </summary>
/// <param name="InUseBytes">Allocated and not freed: small blocks in the arenas plus blocks mmap'd on their own.</param>
/// <param name="FreeBytes">Freed but kept by the allocator in its arenas.</param>
public sealed record NativeHeap(long InUseBytes, long FreeBytes)
{
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Null where the C library has no <c>mallinfo2</c> (musl, glibc before 2.33, other systems).</summary>
    public static NativeHeap? Read()
    {
        if (s_unavailable)
        {
            return null;
        }

        try
        {
            var info = MallInfo2();
            return new NativeHeap(checked((long)(info.Uordblks + info.Hblkhd)), checked((long)info.Fordblks));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();
}

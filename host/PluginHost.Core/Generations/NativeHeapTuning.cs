using System.Runtime.InteropServices;

namespace PluginHost.Core.Generations;

/// <summary>
/// Keeps glibc's allocator from fragmenting over many reloads. By default glibc raises its mmap threshold each time a
/// large block is freed (up to 32 MB), so after the first generations every large block the runtime allocates for a
/// load or a compilation comes from the arenas, and what is freed between the blocks that stay is never whole pages that
/// <see cref="NativeHeapTrim"/> could give back. A fixed threshold serves blocks of 128 KB and more with their own
/// mapping, returned to the system when freed. Measured over 200 reloads of a heavy app (README, "Unload hygiene"): the
/// free memory kept in the arenas stayed at 7–8 MB instead of growing to 35 MB. Does nothing where the C library has no
/// <c>mallopt</c> or where the operator set the threshold (<c>MALLOC_MMAP_THRESHOLD_</c>, or <c>GLIBC_TUNABLES</c> naming
/// <c>glibc.malloc.mmap_threshold</c>).
/// </summary>
public static class NativeHeapTuning
{
    /// <summary>glibc's M_MMAP_THRESHOLD parameter of <c>mallopt</c>.</summary>
    private const int MmapThresholdParameter = -3;

    /// <summary>glibc's own initial threshold, kept fixed.</summary>
    public const int MmapThresholdBytes = 128 * 1024;

    /// <summary>Call once, at the start of a process that reloads apps. Returns whether the setting was applied.</summary>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux() || OperatorTuned())
        {
            return false;
        }

        try
        {
            return MallOpt(MmapThresholdParameter, MmapThresholdBytes) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool OperatorTuned() =>
        Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("malloc.mmap_threshold", StringComparison.Ordinal) == true
        || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}

using System.Globalization;
using System.Runtime.InteropServices;
using PluginHost.Core.Generations;

namespace PluginHost.Core.Tests.Generations;

public sealed class NativeHeapTuningTests
{
    [Fact]
    public void Apply_ThenALargeBlockFreed_NextBlockOverTheThresholdStillGetsAMappingOfItsOwn()
    {
        Assert.True(NativeHeapTuning.Apply());
        // Without the fixed threshold, freeing this block would raise glibc's threshold to 4 MB.
        Marshal.FreeHGlobal(Marshal.AllocHGlobal(4 << 20));

        var block = Marshal.AllocHGlobal(NativeHeapTuning.MmapThresholdBytes * 4);
        try
        {
            // A block glibc mmaps on its own starts 16 bytes into a fresh mapping (its chunk header).
            Assert.Contains(block - 16, MappingStarts());
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    private static HashSet<nint> MappingStarts() =>
        [.. File.ReadLines("/proc/self/maps").Select(line => (nint)long.Parse(line[..line.IndexOf('-', StringComparison.Ordinal)], NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
}

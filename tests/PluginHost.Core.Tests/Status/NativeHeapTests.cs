using System.Runtime.InteropServices;
using PluginHost.Core.Status;

namespace PluginHost.Core.Tests.Status;

public sealed class NativeHeapTests
{
    [Fact]
    public void Read_AfterANativeAllocation_CountsItInUseUntilItIsFreed()
    {
        const int Size = 64 << 20;
        var before = NativeHeap.Read();
        Assert.NotNull(before);

        var block = Marshal.AllocHGlobal(Size);
        try
        {
            var during = NativeHeap.Read()!;
            // Other tests' threads allocate and free native memory between the two reads (a run once saw 1.4 KB freed).
            const int Slack = 8 << 20;
            Assert.InRange(during.InUseBytes - before.InUseBytes, Size - Slack, Size + Slack);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }

        Assert.True(NativeHeap.Read()!.InUseBytes < before.InUseBytes + Size);
    }
}

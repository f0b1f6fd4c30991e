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
            Assert.InRange(during.InUseBytes - before.InUseBytes, Size, Size + (8 << 20));
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }

        Assert.True(NativeHeap.Read()!.InUseBytes < before.InUseBytes + Size);
    }
}

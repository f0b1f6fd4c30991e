using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using PluginHost.Core.Loading;

namespace PluginHost.Core.Tests.Loading;

public sealed class QuickJitImageTests
{
    /// <summary>YamlDotNet as NuGet ships it: built in Release, so it asks for optimised code.</summary>
    private static readonly string ReleaseBuilt = typeof(YamlDotNet.Serialization.Deserializer).Assembly.Location;

    [Fact]
    public void TryMark_AReleaseBuiltAssembly_LoadsAskingForUnoptimisedCodeWithTracking()
    {
        var image = File.ReadAllBytes(ReleaseBuilt);
        Assert.False(Debuggable(image).IsJITOptimizerDisabled, "the package's build should ask for optimised code to begin with");

        var result = QuickJitImage.TryMark(image);

        Assert.Equal(new QuickJitImage.Result("YamlDotNet", true), result);
        var marked = Debuggable(image);
        Assert.True(marked.IsJITOptimizerDisabled);
        Assert.True(marked.IsJITTrackingEnabled, "the runtime ignores DisableOptimizations without the Default (tracking) flag");
    }

    [Fact]
    public void TryMark_OnlyTheAttributesValueChanges()
    {
        var original = File.ReadAllBytes(ReleaseBuilt);
        var image = (byte[])original.Clone();

        QuickJitImage.TryMark(image);

        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToList();
        Assert.InRange(changed.Count, 1, 4);
        Assert.True(changed[^1] - changed[0] < 4, $"bytes changed at {string.Join(", ", changed)}");
    }

    [Fact]
    public void TryMark_NotAPortableExecutable_Throws()
    {
        Assert.Throws<BadImageFormatException>(() => QuickJitImage.TryMark("not an assembly at all"u8.ToArray()));
    }

    private static DebuggableAttribute Debuggable(byte[] image)
    {
        var context = new AssemblyLoadContext("quick-jit-test", isCollectible: true);
        try
        {
            using var stream = new MemoryStream(image);
            return context.LoadFromStream(stream).GetCustomAttribute<DebuggableAttribute>()
                   ?? throw new InvalidOperationException("the assembly has no DebuggableAttribute");
        }
        finally
        {
            context.Unload();
        }
    }
}

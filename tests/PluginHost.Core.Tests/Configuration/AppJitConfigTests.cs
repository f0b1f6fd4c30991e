using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>apps[].jit: how the JIT compiles an in-process app's own assemblies.</summary>
public sealed class AppJitConfigTests
{
    private const string App = "apps:\n  - name: Api\n    mount: /api\n    assembly: Api/Api.dll\n";

    [Theory]
    [InlineData("    jit: quick\n", AppJit.Quick)]
    [InlineData("    jit: optimized\n", AppJit.Optimized)]
    [InlineData("", AppJit.Optimized)]
    public void Parse_Jit_MapsOrDefaultsToOptimized(string jitLine, AppJit expected)
    {
        var sut = ConfigLoader.Parse(App + jitLine, ConfigPath);

        Assert.Equal(expected, sut.Apps[0].Jit);
    }

    [Fact]
    public void Parse_UnknownJit_NamesTheKeyAndTheChoices()
    {
        var errors = Errors(App + "    jit: tiered\n");

        HasError(errors, 5, "apps[0].jit", "'tiered' is not supported; use one of: quick, optimized");
    }
}

using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>The canary section: automatic abort and what a restart does.</summary>
public sealed class CanaryConfigTests
{
    private const string Apps = """
        apps:
          - name: Api
            mount: /
            assembly: Api/Api.dll
        """;

    [Fact]
    public void Parse_CanarySection_MapsEveryKey()
    {
        var sut = ConfigLoader.Parse("canary:\n  maxErrorRate: 2.5%\n  minRequests: 50\n  onRestart: drop\n" + Apps, ConfigPath);

        Assert.Equal(new CanaryConfig { MaxErrorRate = 2.5, MinRequests = 50, OnRestart = CanaryRestart.Drop }, sut.Canary);
    }

    [Fact]
    public void Parse_NoCanarySection_NeverAbortsAndResumes()
    {
        var sut = ConfigLoader.Parse(Apps, ConfigPath);

        Assert.Equal((null, 100, CanaryRestart.Resume), (sut.Canary.MaxErrorRate, sut.Canary.MinRequests, sut.Canary.OnRestart));
    }

    [Theory]
    [InlineData("150%")]
    [InlineData("0%")]
    [InlineData("five")]
    public void Parse_ErrorRateNotAPercentage_NamesKeyAndValue(string value) =>
        SingleError($"canary:\n  maxErrorRate: {value}\n" + Apps, 2, "canary.maxErrorRate", $"'{value}' is not a percentage");
}

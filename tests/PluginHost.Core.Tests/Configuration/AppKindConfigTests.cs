using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>apps[].kind: how an app is hosted, detected when left out.</summary>
public sealed class AppKindConfigTests
{
    [Theory]
    [InlineData("kind: plugin\n", AppKind.Plugin)]
    [InlineData("kind: AspNetCore\n", AppKind.AspNetCore)]
    [InlineData("", null)]
    public void Parse_Kind_MapsOrLeavesItToDetection(string kindLine, AppKind? expected)
    {
        var yaml = "apps:\n  - name: Api\n    mount: /api\n    assembly: Api/Api.dll\n    " + kindLine;

        var sut = ConfigLoader.Parse(yaml, ConfigPath);

        Assert.Equal(expected, sut.Apps[0].Kind);
    }

    [Fact]
    public void Parse_UnknownKind_NamesTheKeyAndTheChoices()
    {
        var errors = Errors("apps:\n  - name: Api\n    mount: /api\n    assembly: Api/Api.dll\n    kind: wsgi\n");

        HasError(errors, 5, "apps[0].kind", "'wsgi' is not supported; use one of: plugin, aspnetcore");
    }
}

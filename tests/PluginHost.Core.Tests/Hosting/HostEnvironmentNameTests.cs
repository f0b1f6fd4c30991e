using PluginHost.Core.Hosting;

namespace PluginHost.Core.Tests.Hosting;

public sealed class HostEnvironmentNameTests
{
    [Fact]
    public void Resolve_NoVariables_Production()
    {
        Assert.Equal("Production", HostEnvironmentName.Resolve(_ => null));
    }

    [Fact]
    public void Resolve_BothVariables_AspNetCoreWinsAsInWebApplication()
    {
        var variables = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Staging", ["DOTNET_ENVIRONMENT"] = "Development" };

        Assert.Equal("Staging", HostEnvironmentName.Resolve(variables.GetValueOrDefault));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Resolve_AspNetCoreUnsetOrBlank_FallsBackToDotnet(string? aspNetCore)
    {
        var variables = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = aspNetCore, ["DOTNET_ENVIRONMENT"] = "Development" };

        Assert.Equal("Development", HostEnvironmentName.Resolve(variables.GetValueOrDefault));
    }
}

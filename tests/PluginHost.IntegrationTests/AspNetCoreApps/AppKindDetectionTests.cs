using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.AspNetCoreApps;

/// <summary>Issue 13: what an app's main dll is, read from its metadata (real builds), or one line saying why it cannot be hosted.</summary>
public sealed class AppKindDetectionTests
{
    [Theory]
    [InlineData("WebApp", null, AppKind.Plugin)]
    [InlineData("UnmodifiedMinimalApi", null, AppKind.AspNetCore)]
    [InlineData("UnmodifiedMvcApp", AppKind.AspNetCore, AppKind.AspNetCore)]
    public void Resolve_HostableApp_ItsKind(string project, AppKind? configured, AppKind expected)
    {
        var (kind, problem) = ContractCompatibility.Resolve(Dll(project), configured);

        Assert.Equal((expected, (string?)null), (kind, problem));
    }

    [Theory]
    [InlineData("ReportingApi.Aggregation", null, "does not reference PluginHost.Abstractions and has no entry point: a plugin must implement IPluginApp, an ASP.NET Core app is mounted by the dll of its Main")]
    [InlineData("UnmodifiedMinimalApi", AppKind.Plugin, "does not reference PluginHost.Abstractions; a plugin must implement IPluginApp")]
    [InlineData("WebApp", AppKind.AspNetCore, "has no entry point (Main): an ASP.NET Core app (apps[].kind: aspnetcore) is mounted by the dll of its Main")]
    public void Resolve_NotHostable_SaysWhy(string project, AppKind? configured, string expected)
    {
        Assert.Equal(expected, ContractCompatibility.Resolve(Dll(project), configured).Problem);
    }

    private static string Dll(string project) => Path.Combine(RepoPaths.PluginBuild(project), project + ".dll");
}

using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 17: the samples' minimal-API endpoints are served by request delegates generated at build time (the Request
/// Delegate Generator), never by ones RequestDelegateFactory compiles from expression trees at each load of a generation.
/// </summary>
public sealed class SampleEndpointsTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateRelease("v1", ("WeatherService", "WeatherService"));
        Releases.Promote("v1");
        Releases.WriteSampleConfig("""
              - name: WeatherService
                mount: /weather
                assembly: WeatherService/WeatherService.dll
            """);
    }

    [Fact]
    public async Task Load_SampleApps_EveryEndpointIsAGeneratedRequestDelegate()
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Host.Client.GetAsync("/weather/weatherforecast")).StatusCode);
        var apps = Host.Current.Value!.Apps;

        var endpoints = apps.SelectMany(app => app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (App: app.Name, Route: endpoint.RoutePattern.RawText, Code: endpoint.RequestDelegate!.Method.DeclaringType!))).ToList();

        Assert.Equal(["ReportingApi", "WeatherService", "WebApp"], endpoints.Select(e => e.App).Distinct().Order());
        Assert.All(endpoints, e => Assert.True(IsGenerated(e.Code), $"{e.App} {e.Route} is served by {e.Code.FullName} of {e.Code.Assembly.GetName().Name}"));
    }

    /// <summary>
    /// Collectible code is never tiered, so the samples ask for their own code to be compiled quickly (plugins/QuickJit.cs):
    /// without it a sample reload takes about twice as long (README, "Quick JIT for an app's own code").
    /// </summary>
    [Fact]
    public void Load_SamplePlugins_TheirOwnAssembliesAskForQuickJit()
    {
        var plugins = Host.Current.Value!.Apps.Where(app => app.Name != "WeatherService").ToList();

        var assemblies = plugins.SelectMany(app => AssemblyLoadContext.GetLoadContext(app.Services.GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>().First().RequestDelegate!.Method.DeclaringType!.Assembly)!.Assemblies).ToList();

        Assert.Equal(["ReportingApi", "ReportingApi.Aggregation", "WebApp"], assemblies.Select(a => a.GetName().Name).Order());
        Assert.All(assemblies, a => Assert.True(a.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled,
            $"{a.GetName().Name} is compiled fully optimised at each load"));
    }

    /// <summary>Generated code lives in the app's own (collectible) assembly, in the generator's namespace.</summary>
    private static bool IsGenerated(Type code) =>
        code.Assembly.IsCollectible && code.FullName!.StartsWith("Microsoft.AspNetCore.Http.Generated.", StringComparison.Ordinal);
}

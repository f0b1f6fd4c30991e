using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.AspNetCoreApps;

/// <summary>
/// Issue 13: ordinary ASP.NET Core apps, which know nothing of PluginHost (a minimal-API app on WebApplication, an MVC
/// app on the generic host with a Startup), are served on their mounts next to a plugin, with their own appsettings.json,
/// services, hosted services and middleware; reloads under load fail no request and leave no generation alive.
/// </summary>
[Collection(ManyUnloadsCollection.Name)]
public sealed class UnmodifiedAppTests : HostedTest
{
    /// <summary>50 as the issue asks; PLUGINHOST_ASPNETCORE_RELOADS overrides it for a quicker local run.</summary>
    private static readonly int Reloads = int.TryParse(Environment.GetEnvironmentVariable("PLUGINHOST_ASPNETCORE_RELOADS"), out var reloads) ? reloads : 50;

    private string StopMarkers => Path.Combine(Releases.Root, "stopped");

    protected override void Arrange()
    {
        Directory.CreateDirectory(StopMarkers);
        Releases.CreateRelease("v1", ("WebApp", "WebApp"), ("Minimal", "UnmodifiedMinimalApi"), ("Mvc", "UnmodifiedMvcApp"), ("WeatherService", "WeatherService"));
        Releases.Promote("v1");
        Releases.WriteAppsConfig($"""
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
                static: wwwroot
              - name: Minimal
                mount: /minimal
                assembly: Minimal/UnmodifiedMinimalApi.dll
                warmup: [/]
                settings:
                  FromHost: set in config.yaml
                  StopMarkers: {StopMarkers}
              - name: Mvc
                mount: /mvc
                kind: aspnetcore
                assembly: Mvc/UnmodifiedMvcApp.dll
                warmup: [/]
              - name: WeatherService
                mount: /weather
                assembly: WeatherService/WeatherService.dll
                warmup: [/weatherforecast]
                settings:
                  Forecast:
                    Days: 3
            """);
    }

    [Fact]
    public async Task Serve_MinimalApiApp_ItsOwnSettingsServicesHostedServiceAndPathBase()
    {
        using var response = await Host.Client.GetAsync("/minimal/");
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("UnmodifiedMinimalApi", json.GetProperty("app").GetString());
        Assert.Equal("hello from appsettings.json", json.GetProperty("greeting").GetString());
        Assert.Equal("set in config.yaml", json.GetProperty("fromHost").GetString());
        Assert.Equal("Production", json.GetProperty("environment").GetString());
        Assert.Equal(Path.Combine(Releases.ReleasesRoot, "v1", "Minimal"), json.GetProperty("contentRoot").GetString());
        Assert.Equal("/minimal", json.GetProperty("pathBase").GetString());
        Assert.Equal("/minimal/items/1", json.GetProperty("link").GetString());
        Assert.Equal("/minimal", Assert.Single(response.Headers.GetValues("X-App-PathBase")));
        Assert.True(json.GetProperty("started").GetBoolean(), "ApplicationStarted fired before the app served");
        Assert.Equal("echo me", await (await Host.Client.PostAsync("/minimal/echo", new StringContent("echo me"))).Content.ReadAsStringAsync());
        await Eventually.WaitAsync(async () => (await Host.GetJsonAsync("/minimal/")).GetProperty("beats").GetInt32() > 0, "the hosted service to beat");
        // Its own logs reach the host's Serilog, tagged with the app.
        Assert.Contains(Host.Logs.Events, e => e.RenderMessage() == "Heartbeat started" && CollectingSink.Property(e, "App") == "Minimal");
    }

    [Fact]
    public async Task Serve_MvcAppOnTheGenericHost_ControllersValidationAndLinksUnderTheMount()
    {
        var info = await Host.GetJsonAsync("/mvc/");
        using var invalid = await Host.Client.PostAsJsonAsync("/mvc/items", new { id = 2, name = "", price = 5 });
        using var created = await Host.Client.PostAsJsonAsync("/mvc/items", new { id = 2, name = "kettle", price = 30 });
        var plugin = await Host.Client.GetAsync("/");

        Assert.Equal("UnmodifiedMvcApp", info.GetProperty("app").GetString());
        Assert.Equal("catalog from appsettings.json", info.GetProperty("title").GetString());
        Assert.True(info.GetProperty("seeded").GetBoolean(), "its hosted service ran before it served");
        Assert.Equal("/mvc", info.GetProperty("pathBase").GetString());
        Assert.Equal("/mvc/items/1", info.GetProperty("link").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/mvc/items/2", created.Headers.Location?.AbsolutePath);
        Assert.Equal("kettle", (await Host.GetJsonAsync("/mvc/items/2")).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, plugin.StatusCode);
    }

    [Fact]
    public async Task Serve_WeatherServiceSample_ItsAppSettingsOverriddenByConfigYaml()
    {
        var forecast = await Host.GetJsonAsync("/weather/weatherforecast");
        var version = await Host.GetJsonAsync("/weather/version");

        // Forecast:Days is 5 in its appsettings.json, 3 in config.yaml's settings.
        Assert.Equal(3, forecast.GetArrayLength());
        Assert.Equal("WeatherService", version.GetProperty("app").GetString());
    }

    [Fact]
    public async Task Reload_UnderLoad_NoRequestFailsEveryGenerationIsNewAndEveryRetiredOneIsCollected()
    {
        using var stop = new CancellationTokenSource();
        string[] paths = ["/minimal/items/1", "/mvc/items/1", "/weather/weatherforecast"];
        var load = paths.Select(path => LoadAsync(path, stop.Token)).ToList();
        var instances = new HashSet<string>();
        for (var reload = 1; reload <= Reloads; reload++)
        {
            var before = Host.GenerationNumber;
            instances.Add((await Host.GetJsonAsync("/minimal/")).GetProperty("instance").GetString()!);
            instances.Add((await Host.GetJsonAsync("/mvc/")).GetProperty("instance").GetString()!);
            instances.Add((await Host.GetJsonAsync("/weather/version")).GetProperty("startedAt").GetString()!);
            Releases.Touch();
            await Host.WaitForGenerationAsync(before, $"reload {reload} of {Reloads}");
        }

        await stop.CancelAsync();
        var outcomes = await Task.WhenAll(load);
        var alive = await Host.CollectRetiredAsync();

        Assert.Equal(3 * Reloads, instances.Count);
        Assert.Equal((0, 0), (outcomes.Sum(o => o.Failed), outcomes.Sum(o => o.Errors)));
        Assert.True(outcomes.All(o => o.Succeeded > 0), "every client was served");
        Assert.Empty(alive);
        // Each retired generation's hosted service was stopped (it leaves a marker when it stops).
        Assert.Equal(Reloads, Directory.GetFiles(StopMarkers, "stopped-*").Length);
    }

    private async Task<(int Succeeded, int Failed, int Errors)> LoadAsync(string path, CancellationToken stop)
    {
        var (succeeded, failed, errors) = (0, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await Host.Client.GetAsync(path, CancellationToken.None);
                _ = response.IsSuccessStatusCode ? succeeded++ : failed++;
            }
            catch (HttpRequestException)
            {
                errors++;
            }
        }

        return (succeeded, failed, errors);
    }
}

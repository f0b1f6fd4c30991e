using System.Net;
using System.Text.Json;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Options with enum, TimeSpan, nested, list and dictionary members through IOptions, IOptionsSnapshot, IOptionsMonitor and IConfiguration.</summary>
public sealed class OptionsBindingScenario : RealAppScenario
{
    public override string Project => "OptionsBinding";

    public override string Mount => "/options-app";

    public override IReadOnlyList<string> Warmup => ["/", "/options", "/config"];

    public override string Settings(RealAppEnvironment environment) => """
        Shipping:
          Carrier: Swiss Post
          DefaultSpeed: Express
          HandlingTime: "02:30:00"
          CutOff: "16:45:00"
          Origin:
            Code: ZRH-1
            City: Zurich
          Regions: [CH, LI, DE]
          Surcharges:
            Express: "12.5"
            Economy: "0"
        Features:
          GiftWrapping: true
          MaxParcelsPerOrder: 3
          OfferedSpeeds: [Standard, Express]
        """;

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        foreach (var (path, source) in new[] { ("/options", "IOptions"), ("/options/snapshot", "IOptionsSnapshot"), ("/options/monitor", "IOptionsMonitor") })
        {
            await paths.RunAsync($"GET {path} ({source}, bound and validated)", async () =>
            {
                var answer = await app.GetJsonAsync(path);
                Assert.Equal(source, answer.Text("source"));
                AssertShipping(answer.GetProperty("shipping"));
            });
        }

        await paths.RunAsync("GET /features (services.Configure<T>(section))", async () =>
        {
            var features = (await app.GetJsonAsync("/features")).GetProperty("features");
            Assert.True(features.GetProperty("giftWrapping").GetBoolean());
            Assert.Equal(3, features.Number("maxParcelsPerOrder"));
            Assert.Equal(["Standard", "Express"], features.Items("offeredSpeeds").Select(s => s.GetString()));
        });

        await paths.RunAsync("GET /config (GetValue<TimeSpan>, GetValue<enum>, Get<T>)", async () =>
        {
            var config = await app.GetJsonAsync("/config");
            Assert.Equal("02:30:00", config.Text("handlingTime"));
            Assert.Equal("Express", config.Text("defaultSpeed"));
            Assert.Equal(3, config.Number("maxParcels"));
            Assert.Equal("ZRH-1", config.GetProperty("origin").Text("code"));
            AssertShipping(config.GetProperty("shipping"));
        });

        await paths.RunAsync("GET /quote?region=&speed= (enum query parameter, dictionary lookup)", async () =>
        {
            var quote = await app.GetJsonAsync("/quote?region=de&speed=Express");
            Assert.Equal(12.5m, quote.GetProperty("surcharge").GetDecimal());
            Assert.Equal("Swiss Post", quote.Text("carrier"));
            Assert.Equal("Economy", (await app.GetJsonAsync("/quote?region=CH&speed=Economy")).Text("speed"));
        });

        await paths.RunAsync("GET /quote?region=US (404)", () => app.GetJsonAsync("/quote?region=US", HttpStatusCode.NotFound));
    }

    private static void AssertShipping(JsonElement shipping)
    {
        Assert.Equal("Swiss Post", shipping.Text("carrier"));
        Assert.Equal("Express", shipping.Text("defaultSpeed"));
        Assert.Equal("02:30:00", shipping.Text("handlingTime"));
        Assert.Equal("16:45:00", shipping.Text("cutOff"));
        Assert.Equal("Zurich", shipping.GetProperty("origin").Text("city"));
        Assert.Equal(["CH", "LI", "DE"], shipping.Items("regions").Select(r => r.GetString()));
        Assert.Equal(12.5m, shipping.GetProperty("surcharges").GetProperty("Express").GetDecimal());
    }
}

using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>IHttpClientFactory: a named and a typed client calling the test's upstream; answers and upstream errors are relayed.</summary>
public sealed class HttpClientFactoryScenario : RealAppScenario
{
    public override string Project => "HttpClientFactory";

    public override string Mount => "/relay-app";

    public override string Settings(RealAppEnvironment environment) => $"""
        upstream: "{environment.Upstream}"
        """;

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        var caller = $"{App}/{app.Generation}";
        foreach (var via in new[] { "named", "typed" })
        {
            await paths.RunAsync($"GET /relay/{via}?text= (the {via} client)", async () =>
            {
                var answer = await app.GetJsonAsync($"/relay/{via}?text={Uri.EscapeDataString($"hello {via}")}");
                Assert.Equal(via, answer.Text("via"));
                Assert.Equal($"hello {via}", answer.GetProperty("upstream").Text("text"));
                Assert.Equal(caller, answer.GetProperty("upstream").Text("caller"));
            });
        }

        await paths.RunAsync("POST /relay/typed/reverse (typed client POST)", async () =>
        {
            var answer = await app.PostJsonAsync("/relay/typed/reverse", new { text = "stressed" }, HttpStatusCode.OK);
            Assert.Equal("desserts", answer.GetProperty("upstream").Text("text"));
        });

        await paths.RunAsync("GET /relay/typed/status/204 (upstream success)", async () =>
            Assert.Equal(204, (await app.GetJsonAsync("/relay/typed/status/204")).Number("status")));

        await paths.RunAsync("GET /relay/typed/status/503 (upstream failure → 502)", async () =>
            Assert.Equal(503, (await app.GetJsonAsync("/relay/typed/status/503", HttpStatusCode.BadGateway)).Number("status")));
    }
}

using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>IMemoryCache: GetOrCreateAsync with the app's types, sliding expiration, removal and change-token expiry with eviction callbacks.</summary>
public sealed class MemoryCacheScenario : RealAppScenario
{
    private static readonly TimeSpan EvictionTimeout = TimeSpan.FromSeconds(10);

    public override string Project => "MemoryCache";

    public override string Mount => "/cache";

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        await paths.RunAsync("GET /products/{id} twice (GetOrCreateAsync, absolute expiration: second from the cache)", async () =>
        {
            var first = (await app.GetJsonAsync("/products/7")).GetProperty("product");
            var second = (await app.GetJsonAsync("/products/7")).GetProperty("product");
            Assert.Equal(app.Generation, first.Number("loadedByGeneration"));
            Assert.Equal(first.Number("loadNumber"), second.Number("loadNumber"));
        });

        await paths.RunAsync("DELETE /products/{id} (Remove → post-eviction callback), GET reloads", async () =>
        {
            var before = (await app.GetJsonAsync("/products/7")).GetProperty("product").Number("loadNumber");
            await app.SendJsonAsync(HttpMethod.Delete, "/products/7", body: null, HttpStatusCode.NoContent);
            await WaitForEvictionAsync(app, "ProductKey { Id = 7 }", "Removed");
            Assert.NotEqual(before, (await app.GetJsonAsync("/products/7")).GetProperty("product").Number("loadNumber"));
        });

        await paths.RunAsync("GET /quote twice (sliding expiration)", async () =>
        {
            var first = (await app.GetJsonAsync("/quote")).GetProperty("quote");
            var second = (await app.GetJsonAsync("/quote")).GetProperty("quote");
            Assert.Contains($"Generation {app.Generation}", first.Text("text"));
            Assert.Equal(first.Text("computedAt"), second.Text("computedAt"));
        });

        await paths.RunAsync("GET /categories, POST /categories/changed (CancellationChangeToken → evicted, reloaded)", async () =>
        {
            var first = await app.GetJsonAsync("/categories");
            Assert.Contains(first.Items("categories"), c => c.Text("name") == $"generation-{app.Generation}");
            Assert.Equal(first.Number("loads"), (await app.GetJsonAsync("/categories")).Number("loads"));
            await app.SendJsonAsync(HttpMethod.Post, "/categories/changed", body: null, HttpStatusCode.Accepted);
            Assert.True((await app.GetJsonAsync("/categories")).Number("loads") > first.Number("loads"), "the categories were not reloaded after the token fired");
            await WaitForEvictionAsync(app, "categories", "TokenExpired");
        });
    }

    private static Task WaitForEvictionAsync(AppClient app, string key, string reason) =>
        app.PollJsonAsync("/evictions", answer => answer.Items("evictions").Any(e => e.Text("key") == key && e.Text("reason") == reason),
            $"the eviction callback for {key} ({reason})", EvictionTimeout);
}

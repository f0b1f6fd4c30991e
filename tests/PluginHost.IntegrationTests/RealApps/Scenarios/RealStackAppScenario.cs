using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>The heavy app: MVC + Newtonsoft, EF Core on SQLite, a named HttpClient, a BackgroundService, validated options.</summary>
public sealed class RealStackAppScenario : RealAppScenario
{
    private static readonly TimeSpan RestockTimeout = TimeSpan.FromSeconds(5);

    public override string Project => "RealStackApp";

    public override string Mount => "/shop";

    public override IReadOnlyList<string> Warmup => ["/version", "/api/products"];

    public override string Settings(RealAppEnvironment environment) => $"""
        ConnectionStrings:
          Default: "Data Source={Path.Combine(environment.DataFolder, "shop.db")}"
        Pricing:
          BaseUrl: "{environment.Upstream}"
          Timeout: "00:00:05"
        Shop:
          Name: Test shop
          Policy: Strict
          RestockInterval: "00:00:00.050"
          RestockAmount: 5
          Currency: EUR
        """;

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        await paths.RunAsync("GET /version (what the benchmark polls)", async () =>
            Assert.Equal(app.Generation, (await app.GetJsonAsync("/version")).Number("generation")));

        await paths.RunAsync("GET /api/status (options with enum and TimeSpan; the BackgroundService runs)", async () =>
        {
            var status = await app.PollJsonAsync("/api/status",
                s => s.GetProperty("restock").GetProperty("running").GetBoolean() && s.GetProperty("restock").Number("rounds") >= 1,
                "the restock worker running", RestockTimeout);
            Assert.Equal("Strict", status.GetProperty("shop").Text("policy"));
            Assert.Equal("00:00:00.0500000", status.GetProperty("shop").Text("restockInterval"));
        });

        long id = 0;
        var name = $"Chair {app.Generation}";
        await paths.RunAsync("POST /api/products (EF insert, Newtonsoft body)", async () =>
        {
            var product = await app.PostJsonAsync("/api/products", new { name, price = 49.90m, stock = 1 }, HttpStatusCode.Created);
            id = product.Number("id");
            Assert.Equal("EUR", product.Text("currency"));
        });

        await paths.RunAsync("POST /api/products/{id}/reviews (insert through the relation)", async () =>
            Assert.Equal(4.0, (await app.PostJsonAsync($"/api/products/{id}/reviews", new { stars = 4, text = "Sturdy" }, HttpStatusCode.OK))
                .GetProperty("averageStars").GetDouble()));

        await paths.RunAsync("GET /api/products?maxPrice=&inStock= (Include, filters)", async () =>
        {
            var list = await app.GetJsonAsync("/api/products?maxPrice=50&inStock=true");
            var product = Assert.Single(list.Items("items"), p => p.Number("id") == id);
            Assert.Single(product.Items("reviews"));
        });

        await paths.RunAsync("POST /api/products/{id}/buy (stock policy from options: Strict → 409 when sold out)", async () =>
        {
            // 99 is more than a restock brings: refused whatever the worker did in between.
            Assert.Equal(0, (await app.PostJsonAsync($"/api/products/{id}/buy?quantity=1", new { }, HttpStatusCode.OK)).Number("stock"));
            var refused = await app.PostJsonAsync($"/api/products/{id}/buy?quantity=99", new { }, HttpStatusCode.Conflict);
            Assert.Equal("Strict", refused.Text("policy"));
        });

        await paths.RunAsync("GET /api/products/{id} (restocked by the BackgroundService)", () =>
            app.PollJsonAsync($"/api/products/{id}", p => p.Number("stock") == 5, "the sold-out product restocked to 5", RestockTimeout));

        await paths.RunAsync("GET /api/pricing/quote?item= (named HttpClient to the upstream)", async () =>
            Assert.Equal("chair", (await app.GetJsonAsync("/api/pricing/quote?item=chair")).GetProperty("upstream").Text("text")));

        await paths.RunAsync("POST /api/products invalid (automatic 400)", async () =>
            JsonAssert.HasErrorsFor(await app.PostJsonAsync("/api/products", new { name = "", price = 0 }, HttpStatusCode.BadRequest), "Name", "Price"));

        await paths.RunAsync("GET /api/products/{unknown} (404)", () => app.GetJsonAsync("/api/products/987654", HttpStatusCode.NotFound));
    }
}

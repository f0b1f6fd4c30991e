using System.Net;
using System.Text.Json;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Controllers, Newtonsoft.Json, DI of a singleton and a scoped service, route/query/body binding, automatic 400s.</summary>
public sealed class MvcNewtonsoftScenario : RealAppScenario
{
    public override string Project => "MvcNewtonsoft";

    public override string Mount => "/mvc";

    public override IReadOnlyList<string> Warmup => ["/", "/api/todos"];

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        var tag = $"g{app.Generation}";
        var created = default(JsonElement);
        await paths.RunAsync("POST /api/todos (JSON body, enum, list)", async () =>
        {
            created = await app.PostJsonAsync("/api/todos", new { title = $"Buy milk {tag}", priority = "High", dueInDays = 3, tags = new[] { "home", tag } },
                HttpStatusCode.Created);
            Assert.Equal($"Buy milk {tag}", created.Text("title"));
            Assert.Equal("High", created.Text("priority"));
            Assert.Equal(app.Generation, created.Number("createdByGeneration"));
        });

        await paths.RunAsync("GET /api/todos/{id} (route binding)", async () =>
        {
            var todo = await app.GetJsonAsync($"/api/todos/{created.Number("id")}");
            Assert.Equal($"Buy milk {tag}", todo.Text("title"));
            Assert.Equal(["home", tag], todo.Items("tags").Select(t => t.GetString()));
        });

        await paths.RunAsync("GET /api/todos?priority=&tag=&take= (query binding)", async () =>
        {
            var list = await app.GetJsonAsync($"/api/todos?priority=High&tag={tag}&take=5");
            var item = Assert.Single(list.Items("items"));
            Assert.Equal(created.Number("id"), item.Number("id"));
            Assert.Equal(1, list.Number("total"));
        });

        await paths.RunAsync("POST /api/todos invalid (DataAnnotations → automatic 400)", async () =>
        {
            var problem = await app.PostJsonAsync("/api/todos", new { title = "x", dueInDays = 0, tags = new[] { "1", "2", "3", "4", "5", "6" } },
                HttpStatusCode.BadRequest);
            JsonAssert.HasErrorsFor(problem, "Title", "DueInDays", "Tags");
        });

        await paths.RunAsync("POST /api/todos with an unknown enum value (400)", async () =>
        {
            var problem = await app.PostJsonAsync("/api/todos", new { title = "Valid title", priority = "Urgent" }, HttpStatusCode.BadRequest);
            Assert.NotEmpty(problem.GetProperty("errors").EnumerateObject());
        });

        await paths.RunAsync("GET /api/todos?take=0 (query validation → 400)", async () =>
            JsonAssert.HasErrorsFor(await app.GetJsonAsync("/api/todos?take=0", HttpStatusCode.BadRequest), "take"));

        await paths.RunAsync("GET /api/todos/{unknown} (404)", () => app.GetJsonAsync("/api/todos/987654", HttpStatusCode.NotFound));
    }
}

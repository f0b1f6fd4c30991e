using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Dapper over Microsoft.Data.Sqlite: parameterised insert, QuerySingle, Query, ExecuteScalar, a class-typed aggregate.</summary>
public sealed class DapperSqliteScenario : RealAppScenario
{
    public override string Project => "DapperSqlite";

    public override string Mount => "/dapper";

    public override IReadOnlyList<string> Warmup => ["/", "/notes/count"];

    public override string Settings(RealAppEnvironment environment) => $"""
        ConnectionStrings:
          Notes: "Data Source={Path.Combine(environment.DataFolder, "notes.db")}"
        """;

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        var text = $"note of generation {app.Generation}";
        long kept = 0, dropped = 0;
        await paths.RunAsync("POST /notes (insert with parameters, QuerySingle of the new row)", async () =>
        {
            var note = await app.PostJsonAsync("/notes", new { text }, HttpStatusCode.Created);
            kept = note.Number("id");
            Assert.Equal(text, note.Text("text"));
            dropped = (await app.PostJsonAsync("/notes", new { text = "to be deleted" }, HttpStatusCode.Created)).Number("id");
        });

        await paths.RunAsync("GET /notes/{id} (record by constructor)", async () =>
            Assert.Equal(text, (await app.GetJsonAsync($"/notes/{kept}")).Text("text")));

        await paths.RunAsync("GET /notes?generation=&contains= (Query with nullable parameters)", async () =>
        {
            var notes = (await app.GetJsonAsync($"/notes?generation={app.Generation}&contains=generation")).Items("notes");
            Assert.Equal(kept, Assert.Single(notes).Number("id"));
        });

        await paths.RunAsync("GET /notes/count?generation= (synchronous ExecuteScalar)", async () =>
            Assert.Equal(2, (await app.GetJsonAsync($"/notes/count?generation={app.Generation}")).Number("count")));

        await paths.RunAsync("GET /notes/stats (class-typed QuerySingle)", async () =>
        {
            var stats = (await app.GetJsonAsync("/notes/stats")).GetProperty("stats");
            Assert.True(stats.Number("count") >= 2 && stats.Number("generations") >= 1, stats.ToString());
        });

        await paths.RunAsync("DELETE /notes/{id}, then 404", async () =>
        {
            await app.SendJsonAsync(HttpMethod.Delete, $"/notes/{dropped}", body: null, HttpStatusCode.NoContent);
            await app.GetJsonAsync($"/notes/{dropped}", HttpStatusCode.NotFound);
        });

        await paths.RunAsync("POST /notes without text (400)", () => app.PostJsonAsync("/notes", new { text = "" }, HttpStatusCode.BadRequest));
    }
}

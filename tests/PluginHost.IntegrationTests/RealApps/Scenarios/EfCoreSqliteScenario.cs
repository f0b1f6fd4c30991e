using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>EF Core on SQLite: create, read with Include, filtered LINQ, update, delete, conflicts and validation.</summary>
public sealed class EfCoreSqliteScenario : RealAppScenario
{
    public override string Project => "EfCoreSqlite";

    public override string Mount => "/ef";

    public override IReadOnlyList<string> Warmup => ["/", "/authors", "/books?since=2000"];

    public override string Settings(RealAppEnvironment environment) => $"""
        ConnectionStrings:
          Default: "Data Source={Path.Combine(environment.DataFolder, "library.db")}"
        """;

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        var name = $"Author of generation {app.Generation}";
        long authorId = 0, oldBook = 0, newBook = 0;
        await paths.RunAsync("POST /authors (insert)", async () =>
        {
            var author = await app.PostJsonAsync("/authors", new { name }, HttpStatusCode.Created);
            authorId = author.Number("id");
            Assert.Equal(name, author.Text("name"));
        });

        await paths.RunAsync("POST /authors/{id}/books (insert through the relation)", async () =>
        {
            oldBook = (await app.PostJsonAsync($"/authors/{authorId}/books", new { title = "Early work", year = 1990 }, HttpStatusCode.Created)).Number("id");
            newBook = (await app.PostJsonAsync($"/authors/{authorId}/books", new { title = "Late work", year = 2010 }, HttpStatusCode.Created)).Number("id");
        });

        await paths.RunAsync("GET /authors (Include)", async () =>
        {
            var list = await app.GetJsonAsync("/authors");
            var author = Assert.Single(list.Items("items"), a => a.Number("id") == authorId);
            Assert.Equal(["Early work", "Late work"], author.Items("books").Select(b => b.Text("title")));
        });

        await paths.RunAsync("GET /books?since=&author= (filtered LINQ across the relation)", async () =>
        {
            var books = await app.GetJsonAsync($"/books?since=2000&author={Uri.EscapeDataString(name)}");
            Assert.Equal(newBook, Assert.Single(books.Items("items")).Number("id"));
        });

        await paths.RunAsync("PUT /books/{id} (update)", async () =>
        {
            var book = await app.SendJsonAsync(HttpMethod.Put, $"/books/{newBook}", new { title = "Late work, revised", year = 2011 }, HttpStatusCode.OK);
            Assert.Equal(2011, book.Number("year"));
        });

        await paths.RunAsync("DELETE /books/{id} (ExecuteDelete), GET /authors/{id}", async () =>
        {
            await app.SendJsonAsync(HttpMethod.Delete, $"/books/{oldBook}", body: null, HttpStatusCode.NoContent);
            var author = await app.GetJsonAsync($"/authors/{authorId}");
            Assert.Equal("Late work, revised", Assert.Single(author.Items("books")).Text("title"));
        });

        await paths.RunAsync("POST /authors with a taken name (409)", () => app.PostJsonAsync("/authors", new { name }, HttpStatusCode.Conflict));

        await paths.RunAsync("POST /authors without a name (400)", () => app.PostJsonAsync("/authors", new { name = " " }, HttpStatusCode.BadRequest));

        await paths.RunAsync("DELETE /authors/{id} (cascade), then 404", async () =>
        {
            await app.SendJsonAsync(HttpMethod.Delete, $"/authors/{authorId}", body: null, HttpStatusCode.NoContent);
            await app.GetJsonAsync($"/authors/{authorId}", HttpStatusCode.NotFound);
            Assert.DoesNotContain((await app.GetJsonAsync("/books")).Items("items"), b => b.Number("id") == newBook);
        });
    }
}

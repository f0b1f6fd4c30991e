using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace DapperSqlite;

public sealed record NewNote(string Text);

/// <summary>A notes API on Dapper and SQLite.</summary>
public sealed class DapperSqliteApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<NoteStore>();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "dapper-sqlite");
            MapNotes(endpoints.MapGroup("/notes"), context);
        });
    }

    private static void MapNotes(RouteGroupBuilder notes, PluginContext context)
    {
        notes.MapPost("/", async (NewNote body, NoteStore store, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(body.Text))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["Text is required."] });
            }

            var note = await store.AddAsync(body.Text, context.Generation, cancellationToken);
            return Results.Created($"notes/{note.Id}", note);
        });

        notes.MapGet("/{id:long}", async (long id, NoteStore store, CancellationToken cancellationToken) =>
            await store.FindAsync(id, cancellationToken) is { } note ? Results.Ok(note) : Results.NotFound());

        notes.MapGet("/", async (long? generation, string? contains, NoteStore store, CancellationToken cancellationToken) =>
            Results.Ok(new { generation = context.Generation, notes = await store.ListAsync(generation, contains, cancellationToken) }));

        notes.MapGet("/count", (long? generation, NoteStore store) =>
            Results.Ok(new { generation = context.Generation, count = store.Count(generation) }));

        notes.MapGet("/stats", async (NoteStore store, CancellationToken cancellationToken) =>
            Results.Ok(new { generation = context.Generation, stats = await store.StatsAsync(cancellationToken) }));

        notes.MapDelete("/{id:long}", async (long id, NoteStore store, CancellationToken cancellationToken) =>
            await store.DeleteAsync(id, cancellationToken) == 0 ? Results.NotFound() : Results.NoContent());
    }
}

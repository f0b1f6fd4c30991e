using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace PluginHost.Rehearsal;

/// <summary>
/// What a spare worker loads, warms and serves once, and then throws away, while it waits to be handed a real app: the
/// paths every app's first request takes (the loader, a container, routing, a minimal-API endpoint with a route value,
/// JSON) run here first, off the reload's critical path.
/// </summary>
public sealed class RehearsalApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddRouting();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, RehearsalJsonContext.Default));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);
        var version = context.Version;
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapGet("/", () => new Rehearsed(version, 0));
            endpoints.MapGet("/items/{id:int}", (int id) => id > 0 ? Results.Ok(new Rehearsed(version, id)) : Results.NotFound());
        });
    }
}

/// <summary>The rehearsal's answer.</summary>
public sealed record Rehearsed(string Version, int Id);

[JsonSerializable(typeof(Rehearsed))]
internal sealed partial class RehearsalJsonContext : JsonSerializerContext;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace MemoryCacheApp;

/// <summary>A catalogue API in front of an in-memory cache.</summary>
public sealed class MemoryCacheApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton<Catalog>();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "memory-cache");
            endpoints.MapGet("/products/{id:int}", async (int id, Catalog catalog, CancellationToken cancellationToken) =>
                Results.Ok(new { generation = context.Generation, product = await catalog.GetProductAsync(id, cancellationToken), loads = catalog.Loads }));
            endpoints.MapDelete("/products/{id:int}", (int id, Catalog catalog) =>
            {
                catalog.Forget(id);
                return Results.NoContent();
            });
            endpoints.MapGet("/quote", async (Catalog catalog) =>
                Results.Ok(new { generation = context.Generation, quote = await catalog.GetQuoteAsync() }));
            endpoints.MapGet("/categories", (Catalog catalog) =>
                Results.Ok(new { generation = context.Generation, categories = catalog.GetCategories(), loads = catalog.Loads }));
            endpoints.MapPost("/categories/changed", (Catalog catalog) =>
            {
                catalog.CatalogChanged();
                return Results.Accepted();
            });
            endpoints.MapGet("/evictions", (Catalog catalog) =>
                Results.Ok(new { generation = context.Generation, evictions = catalog.Evictions }));
        });
    }
}

using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace FluentValidationApi;

/// <summary>An order API that validates its input with FluentValidation, as FluentValidation's ASP.NET Core docs show for minimal APIs.</summary>
public sealed class FluentValidationApiApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton<OrderBook>();
        services.AddValidatorsFromAssemblyContaining<OrderRequestValidator>();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "fluent-validation");

            endpoints.MapPost("/orders", async (OrderRequest order, IValidator<OrderRequest> validator, OrderBook book, CancellationToken cancellationToken) =>
            {
                var result = await validator.ValidateAsync(order, cancellationToken);
                if (!result.IsValid)
                {
                    return Results.ValidationProblem(result.ToDictionary());
                }

                var placed = book.Place(order, context.Generation);
                return Results.Created($"orders/{placed.Id}", placed);
            });

            endpoints.MapGet("/orders/{id:int}", (int id, OrderBook book) =>
                book.Find(id) is { } order ? Results.Ok(order) : Results.NotFound());
        });
    }
}

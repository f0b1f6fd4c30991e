using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace OptionsBinding;

/// <summary>A shipping-rules API configured the way the options-pattern docs show.</summary>
public sealed class OptionsBindingApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var configuration = context.Settings;
        services.AddSingleton(context);
        services.AddOptions<ShippingOptions>()
            .Bind(configuration.GetSection(ShippingOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.CutOff is null || o.CutOff < TimeSpan.FromDays(1), "CutOff must be a time of day.")
            .ValidateOnStart();
        services.Configure<FeatureFlags>(configuration.GetSection("Features"));
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var configuration = context.Settings;
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "options-binding");
            endpoints.MapGet("/options", (IOptions<ShippingOptions> options) =>
                Results.Ok(new { generation = context.Generation, source = "IOptions", shipping = options.Value }));
            endpoints.MapGet("/options/snapshot", (IOptionsSnapshot<ShippingOptions> snapshot) =>
                Results.Ok(new { generation = context.Generation, source = "IOptionsSnapshot", shipping = snapshot.Value }));
            endpoints.MapGet("/options/monitor", (IOptionsMonitor<ShippingOptions> monitor) =>
                Results.Ok(new { generation = context.Generation, source = "IOptionsMonitor", shipping = monitor.CurrentValue }));
            endpoints.MapGet("/features", (IOptions<FeatureFlags> features) =>
                Results.Ok(new { generation = context.Generation, features = features.Value }));
            endpoints.MapGet("/config", () => Results.Ok(new
            {
                generation = context.Generation,
                handlingTime = configuration.GetValue<TimeSpan>("Shipping:HandlingTime"),
                defaultSpeed = configuration.GetValue<ShippingSpeed>("Shipping:DefaultSpeed"),
                maxParcels = configuration.GetValue("Features:MaxParcelsPerOrder", 1),
                origin = configuration.GetSection("Shipping:Origin").Get<Warehouse>(),
                shipping = configuration.GetSection(ShippingOptions.Section).Get<ShippingOptions>(),
            }));
            endpoints.MapGet("/quote", (ShippingSpeed? speed, string region, IOptionsSnapshot<ShippingOptions> snapshot) =>
            {
                var shipping = snapshot.Value;
                if (!shipping.Regions.Contains(region, StringComparer.OrdinalIgnoreCase))
                {
                    return Results.NotFound(new { generation = context.Generation, error = $"no shipping to {region}" });
                }

                var chosen = speed ?? shipping.DefaultSpeed;
                var surcharge = shipping.Surcharges.GetValueOrDefault(chosen.ToString());
                return Results.Ok(new { generation = context.Generation, carrier = shipping.Carrier, speed = chosen, surcharge, handling = shipping.HandlingTime });
            });
        });
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Converters;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;
using RealStackApp.Data;

namespace RealStackApp;

/// <summary>A shop written on the usual stack, everything in one app: the benchmark's heavy app.</summary>
public sealed class RealStackAppApp : IPluginApp
{
    public const string PricingClient = "pricing";

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var configuration = context.Settings;
        var connectionString = configuration.GetConnectionString("Default")
            ?? throw new InvalidOperationException("ConnectionStrings:Default is missing from the app's settings.");
        var pricing = configuration["Pricing:BaseUrl"]
            ?? throw new InvalidOperationException("Pricing:BaseUrl is missing from the app's settings.");

        services.AddSingleton(context);
        services.AddOptions<ShopOptions>()
            .Bind(configuration.GetSection(ShopOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddDbContext<ShopDbContext>(options => options.UseSqlite(connectionString));
        services.AddHttpClient(PricingClient, client =>
        {
            client.BaseAddress = new Uri(pricing);
            client.Timeout = configuration.GetValue("Pricing:Timeout", TimeSpan.FromSeconds(10));
        });
        services.AddSingleton<RestockStats>();
        services.AddHostedService<RestockWorker>();
        services.AddControllers()
            .AddNewtonsoftJson(options => options.SerializerSettings.Converters.Add(new StringEnumConverter()));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        using (var scope = app.ApplicationServices.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<ShopDbContext>().Database.EnsureCreated();
        }

        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "real-stack");
            endpoints.MapControllers();
        });
    }
}

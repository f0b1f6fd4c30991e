using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace EfCoreSqlite;

/// <summary>A small library catalogue on EF Core and SQLite, written the way the EF Core docs write a web app.</summary>
public sealed class EfCoreSqliteApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var connectionString = context.Settings.GetConnectionString("Default")
            ?? throw new InvalidOperationException("ConnectionStrings:Default is missing from the app's settings.");
        services.AddSingleton(context);
        services.AddDbContext<LibraryDbContext>(options => options.UseSqlite(connectionString));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        using (var scope = app.ApplicationServices.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<LibraryDbContext>().Database.EnsureCreated();
        }

        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "ef-core-sqlite");
            endpoints.MapLibraryEndpoints();
        });
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ReportsHealth;

/// <summary>What the app depends on: a database connection that can go down.</summary>
public sealed class DatabaseConnection
{
    private volatile bool _up = true;

    public bool IsUp => _up;

    public void Set(bool up) => _up = up;
}

/// <summary>An ordinary ASP.NET Core health check, written as the health checks documentation writes one.</summary>
public sealed class DatabaseHealthCheck(DatabaseConnection database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.IsUp
            ? HealthCheckResult.Healthy("the database answers")
            : HealthCheckResult.Unhealthy("the database does not answer"));
}

/// <summary>
/// Registers its health checks with <c>AddHealthChecks()</c> (the host runs them for {admin}/readyz and status);
/// <c>POST /database/down</c> and <c>POST /database/up</c> switch the stand-in database.
/// </summary>
public sealed class ReportsHealthApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton<DatabaseConnection>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck("self", () => HealthCheckResult.Healthy());
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "reports-health");
            endpoints.MapPost("/database/down", (DatabaseConnection database) => database.Set(up: false));
            endpoints.MapPost("/database/up", (DatabaseConnection database) => database.Set(up: true));
        });
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace SlowRequest;

/// <summary>
/// <c>GET /slow?ms=N</c> waits N milliseconds, then answers "done". The wait ends early
/// (and the request is abandoned) when the client goes away. Used for draining tests.
/// </summary>
public sealed class SlowRequestApp : IPluginApp
{
    private const int MaxDelayMs = 10 * 60 * 1000;

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "slow-request");
            endpoints.MapGet("/slow", SlowAsync);
        });
    }

    private static async Task SlowAsync(HttpContext httpContext)
    {
        if (!int.TryParse(httpContext.Request.Query["ms"], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > MaxDelayMs)
        {
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            await httpContext.Response.WriteAsync($"query parameter 'ms' must be a whole number of milliseconds from 0 to {MaxDelayMs}");
            return;
        }

        await Task.Delay(ms, httpContext.RequestAborted);
        await httpContext.Response.WriteAsync("done");
    }
}

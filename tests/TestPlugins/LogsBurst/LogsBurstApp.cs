using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace LogsBurst;

/// <summary>
/// <c>GET /log?count=N&amp;tag=T</c> logs N information events ("Burst event i of N (T)") through the injected
/// <see cref="ILogger{TCategoryName}"/>, then answers "logged N". An app that logs a lot per request, as a chatty app does.
/// </summary>
public sealed partial class LogsBurstApp : IPluginApp
{
    private const int MaxCount = 1_000_000;

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "logs-burst");
            endpoints.MapGet("/log", LogAsync);
        });
    }

    private static async Task LogAsync(HttpContext httpContext)
    {
        var query = httpContext.Request.Query;
        if (!int.TryParse(query["count"], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxCount)
        {
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            await httpContext.Response.WriteAsync($"query parameter 'count' must be a whole number from 0 to {MaxCount}");
            return;
        }

        var tag = query["tag"].ToString();
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<LogsBurstApp>>();
        for (var i = 1; i <= count; i++)
        {
            Log.BurstEvent(logger, i, count, tag);
        }

        await httpContext.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"logged {count}"));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Burst event {Index} of {Count} ({Tag})", EventName = "BurstEvent")]
        public static partial void BurstEvent(ILogger logger, int index, int count, string tag);
    }
}

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
/// <c>GET /error</c> logs a caught exception at Error, as an app does when a call it makes fails, then answers "logged error".
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

        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "logs-burst");
            endpoints.MapGet("/log", LogAsync);
            endpoints.MapGet("/error", LogErrorAsync);
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

    private static async Task LogErrorAsync(HttpContext httpContext)
    {
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<LogsBurstApp>>();
        try
        {
            throw new InvalidOperationException($"{nameof(LogsBurstApp)} failed on purpose");
        }
        catch (InvalidOperationException ex)
        {
            Log.FailedOnPurpose(logger, ex);
        }

        await httpContext.Response.WriteAsync("logged error");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Burst event {Index} of {Count} ({Tag})", EventName = "BurstEvent")]
        public static partial void BurstEvent(ILogger logger, int index, int count, string tag);

        [LoggerMessage(2, LogLevel.Error, "Failed on purpose", EventName = "FailedOnPurpose")]
        public static partial void FailedOnPurpose(ILogger logger, Exception exception);
    }
}

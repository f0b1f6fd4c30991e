using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace LongLivedConnections;

/// <summary>What <c>GET /slow</c> answers.</summary>
public sealed record SlowAnswer(long Generation, int WaitedMs, DateTimeOffset AnsweredAt);

/// <summary>An app service (scoped) the slow request resolves only after its wait: it needs the app's container then.</summary>
public sealed class SlowReport(PluginContext context, TimeProvider timeProvider)
{
    public SlowAnswer Create(int waitedMs) => new(context.Generation, waitedMs, timeProvider.GetUtcNow());
}

/// <summary><c>GET /slow?ms=N</c>: waits N ms (until the client goes away), then resolves an app service and answers 200.</summary>
public static class SlowEndpoint
{
    public const int MaxDelayMs = 10 * 60 * 1000;

    public static async Task<Results<Ok<SlowAnswer>, BadRequest<string>>> SlowAsync(int ms, HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (ms is < 0 or > MaxDelayMs)
        {
            return TypedResults.BadRequest(string.Create(CultureInfo.InvariantCulture,
                $"query parameter 'ms' must be a whole number of milliseconds from 0 to {MaxDelayMs}"));
        }

        await Task.Delay(ms, httpContext.RequestAborted);
        var report = httpContext.RequestServices.GetRequiredService<SlowReport>();
        return TypedResults.Ok(report.Create(ms));
    }
}

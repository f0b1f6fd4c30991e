using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PluginHost.Abstractions;

namespace LongLivedConnections;

/// <summary>Server-sent events: "gen N: tick K" every 100 ms.</summary>
public static class ServerSentEventsEndpoints
{
    public const string EventType = "tick";

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// <c>GET /sse</c>, as the minimal-API docs write it: <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{SseItem{T}})"/>
    /// of an async stream that ends (and so completes the response) when the app stops or the client goes away.
    /// </summary>
    public static ServerSentEventsResult<string> Ticks(PluginContext context, IHostApplicationLifetime lifetime, HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lifetime);
        ArgumentNullException.ThrowIfNull(httpContext);
        return TypedResults.ServerSentEvents(TicksAsync(context.Generation, lifetime.ApplicationStopping, httpContext.RequestAborted));
    }

    /// <summary><c>GET /sse-manual</c>: the hand-written loop of many a blog post. It observes only the client's abort.</summary>
    public static async Task ManualTicksAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var generation = httpContext.RequestServices.GetRequiredService<PluginContext>().Generation;
        httpContext.Response.Headers.ContentType = "text/event-stream";
        httpContext.Response.Headers.CacheControl = "no-cache";

        for (var tick = 1L; !httpContext.RequestAborted.IsCancellationRequested; tick++)
        {
            await httpContext.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: gen {generation}: tick {tick}\n\n"),
                httpContext.RequestAborted);
            await httpContext.Response.Body.FlushAsync(httpContext.RequestAborted);
            await Task.Delay(Interval, httpContext.RequestAborted);
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> TicksAsync(long generation, CancellationToken stopping, CancellationToken requestAborted,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted, cancellationToken);
        for (var tick = 1L; !ended.IsCancellationRequested; tick++)
        {
            yield return new SseItem<string>(string.Create(CultureInfo.InvariantCulture, $"gen {generation}: tick {tick}"), EventType);
            await Task.Delay(Interval, ended.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace WebApp;

/// <summary>The app's pages, relative to its mount.</summary>
internal static partial class PageEndpoints
{
    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpRequest request, PageRenderer pages, ILogger<WebAppApp> log) => Page("index.html", request, pages, log));
        endpoints.MapGet("/about", (HttpRequest request, PageRenderer pages, ILogger<WebAppApp> log) => Page("about.html", request, pages, log));
        return endpoints;
    }

    private static IResult Page(string template, HttpRequest request, PageRenderer pages, ILogger log)
    {
        Log.PageServed(log, template, request.PathBase.Value ?? "");
        return TypedResults.Content(pages.Render(template, request.PathBase.Value ?? ""), "text/html; charset=utf-8");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Served page {Template} under path base '{PathBase}'", EventName = "PageServed")]
        public static partial void PageServed(ILogger logger, string template, string pathBase);
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Builder;
using PluginHost.Abstractions;

namespace PluginHost.TestPlugins;

/// <summary>
/// Stamps every response of a test plugin with <c>X-Plugin-Generation</c>, so a test can tell which generation answered
/// any request (redirects, validation failures and 404s included), not only the ones whose body says so.
/// </summary>
internal static class GenerationHeader
{
    public const string Name = "X-Plugin-Generation";

    public static IApplicationBuilder UseGenerationHeader(this IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);

        var generation = context.Generation.ToString(CultureInfo.InvariantCulture);
        return app.Use((httpContext, next) =>
        {
            httpContext.Response.Headers[Name] = generation;
            return next(httpContext);
        });
    }
}

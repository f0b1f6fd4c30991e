using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;

namespace UsesTypedParameters;

/// <summary>
/// Uses the pattern known to pin framework caches: a minimal API handler whose parameters are of
/// plugin types (ASP.NET Core's ParameterBindingMethodCache) and whose result is a plugin record
/// serialized through reflection-based System.Text.Json. Unloads only if the host clears those caches.
/// </summary>
public sealed class UsesTypedParametersApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton<InfoService>();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseRouting();
        app.UseEndpoints(endpoints => Handlers.Map(endpoints));
    }
}

/// <summary>The app's own service, injected into the handler.</summary>
internal sealed class InfoService(PluginContext context)
{
    public PluginInfo Describe() => new(context.AppName, context.Version, context.Generation, "uses-typed-parameters");
}

/// <summary>The JSON answer of <c>GET /</c>.</summary>
internal sealed record PluginInfo(string App, string Version, long Generation, string Behaviour);

/// <summary>The handlers; also the logger category.</summary>
internal sealed partial class Handlers
{
    public static void Map(IEndpointRouteBuilder endpoints)
        => endpoints.MapGet("/", (ILogger<Handlers> log, InfoService svc) =>
        {
            var info = svc.Describe();
            LogDescribed(log, info.Generation);
            return TypedResults.Ok(info);
        });

    [LoggerMessage(1, LogLevel.Information, "Described generation {Generation}", EventName = "Described")]
    private static partial void LogDescribed(ILogger logger, long generation);
}

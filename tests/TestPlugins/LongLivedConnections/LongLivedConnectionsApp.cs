using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace LongLivedConnections;

/// <summary>
/// Chat, live dashboards and notifications as everyday ASP.NET Core writes them: a WebSocket echo (the docs' "WebSockets
/// support" sample), server-sent events, a slow endpoint and a SignalR hub. Every answer names the generation that gave
/// it ("gen 3: hello"), so a test can tell whether a connection moved to the new code.
/// </summary>
public sealed class LongLivedConnectionsApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<SlowReport>();
        // As the SignalR docs do: nothing else (the host gives the app its IHostApplicationLifetime and routing).
        services.AddSignalR();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromMinutes(2),
        });
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "long-lived-connections");
            endpoints.Map("/ws", WebSocketEcho.EchoUntilStoppingAsync);
            endpoints.Map("/ws-plain", WebSocketEcho.EchoAsync);
            endpoints.MapGet("/sse", ServerSentEventsEndpoints.Ticks);
            endpoints.MapGet("/sse-manual", ServerSentEventsEndpoints.ManualTicksAsync);
            endpoints.MapGet("/slow", SlowEndpoint.SlowAsync);
            endpoints.MapHub<ChatHub>("/hubs/chat");
        });
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace BackgroundWorker;

/// <summary>An app with background work, registered the way the worker-service and hosted-service docs do it.</summary>
public sealed class BackgroundWorkerApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TickRecorder>();
        services.AddHostedService<TickWorker>();
        // Registered once and exposed as a hosted service, so the endpoints read the instance the host started.
        services.AddSingleton<HeartbeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatService>());
        services.AddSingleton<LifetimeEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<LifetimeEvents>());
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "background-worker");
            endpoints.MapGet("/ticks", (TickRecorder recorder) =>
                Results.Ok(new { generation = context.Generation, ticks = recorder.Ticks, running = recorder.Running, lastTick = recorder.LastTick }));
            endpoints.MapGet("/heartbeat", (HeartbeatService heartbeat) =>
                Results.Ok(new { generation = context.Generation, beats = heartbeat.Beats, startedAt = heartbeat.StartedAt, stoppedAt = heartbeat.StoppedAt }));
            endpoints.MapGet("/lifetime", (LifetimeEvents events) =>
                Results.Ok(new
                {
                    generation = context.Generation,
                    serviceStarted = events.ServiceStartedAt is not null,
                    applicationStarted = events.ApplicationStartedAt is not null,
                    applicationStopping = events.ApplicationStoppingAt is not null,
                    applicationStopped = events.ApplicationStoppedAt is not null,
                }));
        });
    }
}

using System.Text.Json;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Hosted services started with the generation: a BackgroundService ticking, a timed IHostedService, lifetime events.</summary>
public sealed class BackgroundWorkerScenario : RealAppScenario
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    public override string Project => "BackgroundWorker";

    public override string Mount => "/worker";

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        await paths.RunAsync("GET /ticks (BackgroundService on a PeriodicTimer is running and ticking)", () =>
            app.PollJsonAsync("/ticks", ticks => ticks.GetProperty("running").GetBoolean() && ticks.Number("ticks") >= 2,
                "the tick worker running with at least 2 ticks", StartTimeout));

        await paths.RunAsync("GET /heartbeat (IHostedService with a Timer: started, not stopped)", async () =>
        {
            var heartbeat = await app.PollJsonAsync("/heartbeat", h => h.Number("beats") >= 2, "at least 2 heartbeats", StartTimeout);
            Assert.Equal(JsonValueKind.Null, heartbeat.GetProperty("stoppedAt").ValueKind);
        });

        await paths.RunAsync("GET /lifetime (ApplicationStarted fired, ApplicationStopping not)", async () =>
        {
            var lifetime = await app.PollJsonAsync("/lifetime",
                l => l.GetProperty("serviceStarted").GetBoolean() && l.GetProperty("applicationStarted").GetBoolean(),
                "IHostApplicationLifetime.ApplicationStarted seen by a started hosted service", StartTimeout);
            Assert.False(lifetime.GetProperty("applicationStopping").GetBoolean(), "ApplicationStopping fired on the live generation");
            Assert.False(lifetime.GetProperty("applicationStopped").GetBoolean(), "ApplicationStopped fired on the live generation");
        });
    }
}

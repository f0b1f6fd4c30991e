using PluginHost.IntegrationTests.Infrastructure;
using PluginHost.Core.Unloading.LeakChains;
using PluginHost.IntegrationTests.RealApps.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// Each unload hygiene step is needed: with the step skipped (reload.skipUnloadSteps), a real app that needs it keeps its
/// retired generation alive, and the host's leak report names what the step would have removed. (With every step on,
/// <see cref="RealAppUnloadTests"/> shows the same apps collected on every reload.)
/// </summary>
[Collection(ManyUnloadsCollection.Name)]
public sealed class UnloadHygieneStepTests
{
    private static readonly RealAppScenario[] Fixtures = [new LeaksOnProcessExitScenario(), new SubscribesToDiagnosticsScenario()];

    [Theory]
    [InlineData("timers", "HttpClientFactory", "TimerQueue")]
    [InlineData("static-events", "LeaksOnProcessExit", "ProcessExit")]
    [InlineData("diagnostic-subscriptions", "SubscribesToDiagnostics", "DiagnosticListener")]
    [InlineData("meters", "EfCoreSqlite", "Meter")]
    [InlineData("type-descriptor", "OptionsBinding", "ReflectTypeDescriptionProvider")]
    [InlineData("metadata-update-handlers", "FluentValidationApi", "System.Text.Json")]
    [InlineData("framework-caches", "MvcNewtonsoft", "ParameterBindingMethodCache")]
    public async Task Reload_StepSkipped_GenerationLeaksAndTheReportNamesWhatTheStepRemoves(string step, string app, string heldBy)
    {
        var scenario = RealAppScenarios.All.Concat(Fixtures).Single(s => s.Project == app);
        await using var deployment = await RealAppDeployment.StartAsync(scenario, reload: $"""
            pollInterval: 200ms
            unloadTimeout: 2s
            skipUnloadSteps: [{step}]
            """);
        using (var browser = deployment.CreateBrowser())
        {
            await scenario.ExerciseAsync(browser, scenario.Mount, deployment.Host.GenerationNumber);
        }

        await deployment.ReloadAsync($"the reload that retires {app}'s first generation");

        var alive = await deployment.Host.CollectRetiredAsync(TimeSpan.FromSeconds(5));
        var leaked = Assert.Single(alive);
        var explained = deployment.Host.Services.GetRequiredService<LeakExplainer>().WhenIdleAsync();
        if (await Task.WhenAny(explained, Task.Delay(TimeSpan.FromMinutes(2))) != explained)
        {
            Assert.Fail($"the leak of {app} was not explained within 2 minutes; the host logged:\n"
                        + string.Join("\n", deployment.Host.Logs.Events.Where(e => e.Level >= Serilog.Events.LogEventLevel.Information)
                            .TakeLast(15).Select(e => $"{e.Timestamp:HH:mm:ss.fff} {e.RenderMessage()}")));
        }

        Assert.True(leaked.LeakChains.Any(c => c.ToString().Contains(heldBy, StringComparison.Ordinal)),
            $"{app} with '{step}' skipped: expected a chain through {heldBy}, found:\n{string.Join("\n", leaked.LeakChains)}");
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;
using PluginHost.IntegrationTests.RealApps.Scenarios;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// Each unload hygiene step is needed: with the step skipped (reload.skipUnloadSteps), a real app that needs it keeps its
/// retired generation alive, and the host's leak report names what the step would have removed. (With every step on,
/// <see cref="RealAppUnloadTests"/> shows the same apps collected on every reload.)
/// </summary>
[Collection(ManyUnloadsCollection.Name)]
public sealed class UnloadHygieneStepTests
{
    private static readonly RealAppScenario[] Fixtures = [new LeaksOnProcessExitScenario(), new SubscribesToDiagnosticsScenario(), new LogsAnErrorScenario()];

    [Theory]
    [InlineData("timers", "HttpClientFactory", "TimerQueue")]
    [InlineData("static-events", "LeaksOnProcessExit", "ProcessExit")]
    [InlineData("diagnostic-subscriptions", "SubscribesToDiagnostics", "DiagnosticListener")]
    [InlineData("meters", "EfCoreSqlite", "Meter")]
    [InlineData("type-descriptor", "OptionsBinding", "ReflectTypeDescriptionProvider")]
    [InlineData("metadata-update-handlers", "FluentValidationApi", "System.Text.Json")]
    [InlineData("framework-caches", "MvcNewtonsoft", "ParameterBindingMethodCache")]
    public Task Reload_StepSkipped_GenerationLeaksAndTheReportNamesWhatTheStepRemoves(string step, string app, string heldBy) =>
        AssertLeaksWithoutAsync(step, app, heldBy);

    /// <summary>
    /// At Warning nothing else is logged after the app's error, so the buffered sinks' workers hold that last event (and
    /// its exception, which references the app's code) until the next event: here the leak warning itself, which lets
    /// the generation go before its chains could be read. So the leak is the proof, not a chain.
    /// </summary>
    [Fact]
    public async Task Reload_LogBuffersStepSkipped_AtWarningTheAppsLastErrorHoldsItsGenerationUntilTheNextEvent()
    {
        var scenario = new LogsAnErrorScenario();
        await using var deployment = await RealAppDeployment.StartAsync(scenario, reload: """
            unloadTimeout: 2s
            skipUnloadSteps: [log-buffers]
            """, ownProcess: true, minimumLevel: "Warning");
        using (var browser = deployment.CreateBrowser())
        {
            await scenario.ExerciseAsync(browser, scenario.Mount, 1);
        }

        await deployment.ReloadAsync("LogsBurst after its error");
        await Eventually.WaitAsync(() => Task.FromResult(deployment.Process!.Output.Contains("Leak: LogsBurst v1 generation 1 ", StringComparison.Ordinal)),
            "generation 1 reported leaked", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Reload_AtWarning_TheAppsLastErrorDoesNotHoldItsGeneration()
    {
        var scenario = new LogsAnErrorScenario();
        await using var deployment = await RealAppDeployment.StartAsync(scenario, reload: "unloadTimeout: 2s", ownProcess: true, minimumLevel: "Warning");
        using (var browser = deployment.CreateBrowser())
        {
            await scenario.ExerciseAsync(browser, scenario.Mount, 1);
        }

        await deployment.ReloadAsync("LogsBurst after its error");
        Assert.Empty(await deployment.RetiredAliveAsync(1));
    }

    private static async Task AssertLeaksWithoutAsync(string step, string app, string heldBy)
    {
        var scenario = RealAppScenarios.All.Concat(Fixtures).Single(s => s.Project == app);
        await using var deployment = await RealAppDeployment.StartAsync(scenario, reload: $"""
            pollInterval: 200ms
            unloadTimeout: 2s
            skipUnloadSteps: [{step}]
            """, ownProcess: true);
        var host = deployment.Process!;
        using (var browser = deployment.CreateBrowser())
        {
            await scenario.ExerciseAsync(browser, scenario.Mount, 1);
        }

        deployment.Releases.Touch();
        JsonElement? leaked = null;
        var retiredAlive = "";
        try
        {
            await Eventually.WaitAsync(async () =>
            {
                var status = await host.Client.GetFromJsonAsync<JsonElement>("/_pluginhost/status");
                retiredAlive = JsonSerializer.Serialize(status.GetProperty("retiredAlive"));
                leaked = status.GetProperty("retiredAlive").EnumerateArray()
                    .Where(r => r.GetProperty("generation").GetInt64() == 1 && r.GetProperty("heldBy").GetArrayLength() > 0)
                    .Select(r => (JsonElement?)r).FirstOrDefault();
                return leaked is not null;
            }, $"{app}'s first generation reported leaked with what holds it (status retiredAlive[].heldBy)", TimeSpan.FromMinutes(4));
        }
        catch (TimeoutException ex)
        {
            // On one line (CI's summary keeps a failure's first line only), and without the request lines of the polls above.
            string[] telling = [" WRN]", " ERR]", "Heap analysis", "no GC root", "createdump"];
            var lines = host.Output.Split('\n').Where(l => telling.Any(t => l.Contains(t, StringComparison.Ordinal))).TakeLast(20);
            throw new TimeoutException($"{ex.Message}; last retiredAlive: {retiredAlive}; the host's leak lines: {string.Join(" | ", lines.Select(l => l.Trim()))}", ex);
        }

        var chains = leaked!.Value.GetProperty("heldBy").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.True(chains.Any(c => c!.Contains(heldBy, StringComparison.Ordinal)),
            $"{app} with '{step}' skipped: expected a chain through {heldBy}, found:\n{string.Join("\n", chains)}");
    }
}

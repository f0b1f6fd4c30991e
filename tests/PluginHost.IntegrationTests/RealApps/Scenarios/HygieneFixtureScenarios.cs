namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>LeaksOnProcessExit: subscribes an instance method to AppDomain.ProcessExit and never unsubscribes.</summary>
public sealed class LeaksOnProcessExitScenario : RealAppScenario
{
    public override string Project => "LeaksOnProcessExit";

    public override string Mount => "/leaky";

    protected override Task ExercisePathsAsync(AppClient app, PathChecks paths) => Task.CompletedTask;
}

/// <summary>SubscribesToDiagnostics: counts the host's request events through DiagnosticListener.AllListeners, never unsubscribing.</summary>
public sealed class SubscribesToDiagnosticsScenario : RealAppScenario
{
    public override string Project => "SubscribesToDiagnostics";

    public override string Mount => "/diagnostics";

    protected override Task ExercisePathsAsync(AppClient app, PathChecks paths) =>
        paths.RunAsync("GET /seen (requests seen through the host's DiagnosticListener)", async () =>
            Assert.True(long.Parse(await app.GetHtmlAsync("/seen"), System.Globalization.CultureInfo.InvariantCulture) > 0));
}

/// <summary>LogsBurst: GET /error logs a caught exception at Error, an event whose exception references the app's code.</summary>
public sealed class LogsAnErrorScenario : RealAppScenario
{
    public override string Project => "LogsBurst";

    public override string Mount => "/logs";

    protected override Task ExercisePathsAsync(AppClient app, PathChecks paths) =>
        paths.RunAsync("GET /error (an exception logged at Error)", async () => Assert.Equal("logged error", await app.GetHtmlAsync("/error")));
}

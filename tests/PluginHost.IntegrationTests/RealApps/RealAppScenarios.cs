using PluginHost.IntegrationTests.RealApps.Scenarios;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>Every real-stack test plugin, by project name (the theories' data: names serialise, scenario objects do not).</summary>
public static class RealAppScenarios
{
    public static IReadOnlyList<RealAppScenario> All { get; } =
    [
        new MvcNewtonsoftScenario(),
        new RazorPagesScenario(),
        new EfCoreSqliteScenario(),
        new DapperSqliteScenario(),
        new FluentValidationApiScenario(),
        new HttpClientFactoryScenario(),
        new MemoryCacheScenario(),
        new BackgroundWorkerScenario(),
        new OptionsBindingScenario(),
        new CookieAuthScenario(),
        new RealStackAppScenario(),
    ];

    /// <summary>Every scenario, or those PLUGINHOST_REALAPPS names (comma-separated) for a quicker local run.</summary>
    public static TheoryData<string> Names => new(All.Select(s => s.Project).Where(Chosen));

    private static bool Chosen(string project) =>
        Environment.GetEnvironmentVariable("PLUGINHOST_REALAPPS") is not { Length: > 0 } chosen
        || chosen.Split(',', StringSplitOptions.TrimEntries).Contains(project, StringComparer.OrdinalIgnoreCase);

    public static RealAppScenario Get(string project) => All.Single(s => s.Project == project);
}

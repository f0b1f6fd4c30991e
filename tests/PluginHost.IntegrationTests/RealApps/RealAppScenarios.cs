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

    public static TheoryData<string> Names => new(All.Select(s => s.Project));

    public static RealAppScenario Get(string project) => All.Single(s => s.Project == project);
}

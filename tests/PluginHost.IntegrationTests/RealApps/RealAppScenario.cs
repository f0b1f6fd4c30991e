namespace PluginHost.IntegrationTests.RealApps;

/// <summary>Where a scenario's app keeps what it needs outside the release: its data folder and the upstream it calls.</summary>
/// <param name="DataFolder">A folder of the test's temp deployment (SQLite databases go here, never in the repository).</param>
/// <param name="Upstream">The base URL of the test's <see cref="Infrastructure.UpstreamServer"/>.</param>
public sealed record RealAppEnvironment(string DataFolder, Uri Upstream);

/// <summary>
/// One test plugin written on the usual stack: how to deploy it (project, app name, mount, assembly, settings, warm-up)
/// and how to exercise every code path it has through real HTTP, checking that the answers come from the expected
/// generation.
/// </summary>
public abstract class RealAppScenario
{
    /// <summary>The plugin project under tests/TestPlugins/ (its build is in artifacts/plugins/&lt;Project&gt;/).</summary>
    public abstract string Project { get; }

    /// <summary>The app's name in config.yaml (also its folder in the release).</summary>
    public string App => Project;

    public abstract string Mount { get; }

    /// <summary>The app's assembly relative to the release folder (config.yaml's <c>apps[].assembly</c>).</summary>
    public string AssemblyPath => $"{App}/{Project}.dll";

    /// <summary>Paths (relative to the mount) the host requests before a generation takes traffic.</summary>
    public virtual IReadOnlyList<string> Warmup => ["/"];

    /// <summary>The path that answers the plugin info <c>{ app, version, generation, behaviour }</c>.</summary>
    protected virtual string InfoPath => "/";

    /// <summary>The app's <c>settings</c> as YAML (unindented); empty when it has none.</summary>
    public virtual string Settings(RealAppEnvironment environment) => "";

    /// <summary>Runs every code path of the app once and checks the answers; throws naming every path that failed.</summary>
    public async Task ExerciseAsync(HttpClient client, string mount, long expectedGeneration)
    {
        var app = new AppClient(client, mount, expectedGeneration);
        var paths = new PathChecks();
        await paths.RunAsync($"GET {InfoPath} (plugin info)", async () =>
        {
            var info = await app.GetJsonAsync(InfoPath);
            Assert.Equal(App, info.GetProperty("app").GetString());
        });
        await ExercisePathsAsync(app, paths);
        paths.ThrowIfAnyFailed();
    }

    /// <summary>The app's own paths, each run through <see cref="PathChecks.RunAsync"/>.</summary>
    protected abstract Task ExercisePathsAsync(AppClient app, PathChecks paths);

    public override string ToString() => Project;
}

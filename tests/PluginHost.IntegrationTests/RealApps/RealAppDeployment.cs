using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// One real-stack app served by a real host: a temp deployment with a release of the app (and a data folder for its
/// databases), the upstream service it may call, and the host. Everything is torn down on dispose.
/// </summary>
public sealed class RealAppDeployment : IAsyncDisposable
{
    private RealAppDeployment(RealAppScenario scenario, TempReleases releases, UpstreamServer upstream)
    {
        Scenario = scenario;
        Releases = releases;
        Upstream = upstream;
    }

    public RealAppScenario Scenario { get; }
    public TempReleases Releases { get; }
    public UpstreamServer Upstream { get; }
    public HostRunner Host { get; private set; } = null!;

    /// <summary>The host as its own process, when started with <c>ownProcess</c> (then <see cref="Host"/> is not set).</summary>
    public HostProcess? Process { get; private set; }

    private Uri Address => Process?.Address ?? Host.Address;

    /// <summary>The config.yaml <c>reload</c> section of the deployment: quick polling, bounded drain and unload.</summary>
    public const string DefaultReload = """
        pollInterval: 200ms
        drainTimeout: 10s
        unloadTimeout: 10s
        """;

    /// <summary>
    /// Releases <paramref name="versions"/> (v1 by default; the first is promoted) of the scenario's app, then starts the host
    /// on it with <paramref name="reload"/> as config.yaml's <c>reload</c> section.
    /// </summary>
    /// <param name="ownProcess">
    /// Run the host as its own process rather than in the test's: for tests that leave a generation leaked on purpose, so
    /// its leftovers (and the dump that explains the leak) end with the process, not in the test host.
    /// </param>
    public static async Task<RealAppDeployment> StartAsync(RealAppScenario scenario, string[]? versions = null, string reload = DefaultReload,
        bool ownProcess = false)
    {
        versions ??= [];
        ArgumentNullException.ThrowIfNull(scenario);
        var releases = new TempReleases();
        UpstreamServer? upstream = null;
        try
        {
            upstream = await UpstreamServer.StartAsync();
            var environment = new RealAppEnvironment(Path.Combine(releases.Root, "data"), upstream.Address);
            Directory.CreateDirectory(environment.DataFolder);
            foreach (var version in versions.DefaultIfEmpty("v1"))
            {
                releases.CreateRelease(version, (scenario.App, scenario.Project));
            }

            releases.Promote(versions.DefaultIfEmpty("v1").First());
            releases.WriteConfig(Config(scenario, environment, reload));
            var deployment = new RealAppDeployment(scenario, releases, upstream);
            if (ownProcess)
            {
                deployment.Process = HostProcess.Start(releases.ConfigPath);
                await deployment.Process.WaitUntilServingAsync("/_pluginhost/status");
            }
            else
            {
                deployment.Host = await HostRunner.StartAsync(releases.ConfigPath);
            }

            return deployment;
        }
        catch
        {
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }

            releases.Dispose();
            throw;
        }
    }

    /// <summary>A client like a browser's: keeps cookies, does not follow redirects (tests check them).</summary>
    public HttpClient CreateBrowser(CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The live generation serving the app, checking what it answers.</summary>
    public AppClient App(HttpClient browser) => new(browser, Scenario.Mount, Host.GenerationNumber);

    /// <summary>Touches the reload trigger (or promotes <paramref name="promote"/>) and waits for the next generation to serve.</summary>
    public async Task ReloadAsync(string what, string? promote = null)
    {
        var before = Host.GenerationNumber;
        if (promote is null)
        {
            Releases.Touch();
        }
        else
        {
            Releases.Promote(promote);
        }

        try
        {
            await Host.WaitForGenerationAsync(before, what);
        }
        catch (TimeoutException ex)
        {
            var last = Host.Coordinator.LastResult;
            var cause = Host.Logs.Events.LastOrDefault(e => e.Exception is not null)?.Exception;
            throw new TimeoutException(
                $"{ex.Message}; last reload: {(last is null ? "none" : $"ok={last.Ok} generation={last.Generation} error={last.Error}")}"
                + (cause is null ? "" : $"\nlast logged exception: {cause}"), ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Process?.Dispose();

        await Upstream.DisposeAsync();
        Releases.Dispose();
    }

    private static string Config(RealAppScenario scenario, RealAppEnvironment environment, string reload)
    {
        var reloadBlock = string.Join("\n", reload.Split('\n').Select(line => "  " + line.TrimEnd('\r')));
        var settings = scenario.Settings(environment);
        var settingsBlock = settings.Length == 0
            ? ""
            : "    settings:\n" + string.Join("\n", settings.Split('\n').Select(line => "      " + line.TrimEnd('\r')));
        return $"""
            reload:
            {reloadBlock}
            apps:
              - name: {scenario.App}
                mount: {scenario.Mount}
                assembly: {scenario.AssemblyPath}
                warmup: [{string.Join(", ", scenario.Warmup)}]
            {settingsBlock}
            """;
    }
}

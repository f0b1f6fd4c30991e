using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
    /// <param name="minimumLevel">config.yaml's logging.minimumLevel; the default (Information) when null.</param>
    /// <param name="jit">config.yaml's apps[].jit; left out when null.</param>
    public static async Task<RealAppDeployment> StartAsync(RealAppScenario scenario, string[]? versions = null, string reload = DefaultReload,
        bool ownProcess = false, string? minimumLevel = null, string? jit = null)
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
            releases.WriteConfig(Config(scenario, environment, reload, minimumLevel, jit));
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

    /// <summary>The generation serving now (read from the status of an own-process host).</summary>
    public async Task<long> GenerationAsync() =>
        Process is null ? Host.GenerationNumber : (await StatusAsync()).GetProperty("generation").GetInt64();

    /// <summary>The own-process host's status; a host that died says so, with its output.</summary>
    public async Task<JsonElement> StatusAsync()
    {
        var host = Process ?? throw new InvalidOperationException("not an own-process host");
        try
        {
            return await host.Client.GetFromJsonAsync<JsonElement>("/_pluginhost/status");
        }
        catch (HttpRequestException)
        {
            if (await HasDiedAsync())
            {
                throw new HostDiedException(host.Output);
            }

            throw;
        }
    }

    /// <summary>Whether the own-process host has exited (a refused connection comes a moment before its exit is seen).</summary>
    public async Task<bool> HasDiedAsync()
    {
        try
        {
            await Process!.WaitForExitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Own process: waits until every retired generation was collected, as the host itself verified (status:
    /// <paramref name="retired"/> generations collected, none alive); returns the generations still alive at the deadline.
    /// </summary>
    public async Task<IReadOnlyList<long>> RetiredAliveAsync(int retired)
    {
        var alive = new List<long>();
        var last = default(JsonElement);
        try
        {
            await Eventually.WaitAsync(async () =>
            {
                last = await StatusAsync();
                alive = [.. last.GetProperty("retiredAlive").EnumerateArray().Select(r => r.GetProperty("generation").GetInt64())];
                return alive.Count == 0 && last.GetProperty("collectedGenerations").GetInt64() >= retired;
            }, "every retired generation collected", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException) when (alive.Count > 0)
        {
        }
        catch (TimeoutException ex)
        {
            // None alive, yet fewer collected than retired: a generation never got as far as being verified.
            throw new TimeoutException($"{ex.Message}: {retired} retired, {last.GetProperty("collectedGenerations")} collected; "
                + $"retiring: {last.GetProperty("retiring")}", ex);
        }

        return alive;
    }

    /// <summary>Touches the reload trigger (or promotes <paramref name="promote"/>) and waits for the next generation to serve.</summary>
    public async Task ReloadAsync(string what, string? promote = null)
    {
        if (Process is not null)
        {
            await ReloadOwnProcessAsync(what, promote);
            return;
        }

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

    private async Task ReloadOwnProcessAsync(string what, string? promote)
    {
        var before = await GenerationAsync();
        if (promote is null)
        {
            Releases.Touch();
        }
        else
        {
            Releases.Promote(promote);
        }

        await Eventually.WaitAsync(async () =>
        {
            var status = await StatusAsync();
            if (status.GetProperty("lastReload") is { ValueKind: JsonValueKind.Object } last && !last.GetProperty("ok").GetBoolean())
            {
                throw new InvalidOperationException($"{what} failed: {last.GetProperty("error").GetString()}");
            }

            return status.GetProperty("generation").GetInt64() > before;
        }, what, TimeSpan.FromSeconds(60));
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

    private static string Config(RealAppScenario scenario, RealAppEnvironment environment, string reload, string? minimumLevel, string? jit)
    {
        var jitLine = jit is null ? "" : $"\n    jit: {jit}";
        var logging = minimumLevel is null ? "" : $"logging:\n  minimumLevel: {minimumLevel}\n";
        var reloadBlock = string.Join("\n", reload.Split('\n').Select(line => "  " + line.TrimEnd('\r')));
        var settings = scenario.Settings(environment);
        var settingsBlock = settings.Length == 0
            ? ""
            : "    settings:\n" + string.Join("\n", settings.Split('\n').Select(line => "      " + line.TrimEnd('\r')));
        return logging + $"""
            reload:
            {reloadBlock}
            apps:
              - name: {scenario.App}
                mount: {scenario.Mount}
                assembly: {scenario.AssemblyPath}
                warmup: [{string.Join(", ", scenario.Warmup)}]{jitLine}
            {settingsBlock}
            """;
    }
}

/// <summary>The host process died under the test (the runtime's own crash, not a failed assertion): its output says how.</summary>
public sealed class HostDiedException(string output) : Exception($"the host process died; its last output:\n{Tail(output)}")
{
    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 15, canary: 'promote v2 --canary 10%' serves v2 to a sticky share of new clients besides production (real host, real
/// CLI, real HTTP); a header forces it; finishing swaps the canary generation in and aborting retires it, both without a
/// load; every retired generation is verified collected.
/// </summary>
public sealed class CanaryTests : HostedTest, IDisposable
{
    private const int NewClients = 2000;
    private HttpClient? _clients;

    /// <summary>Sends exactly the cookies a test gives: no jar, so every request without one is a new client.</summary>
    private HttpClient Clients => _clients ??= new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Host.Address };

    protected override bool UseConfigUrls => true;

    protected override void Arrange() => Releases.ArrangeTwoSampleReleasesOnAFixedPort();

    [Fact]
    public async Task Canary_TenPercent_GetsItsShareOfNewClients_AndEachClientStaysOnItsVersion()
    {
        var promote = await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "10%");
        Assert.True(promote.ExitCode == 0, promote.Error);

        var answers = new ConcurrentBag<(string Version, string Cookie)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, NewClients), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, cancellationToken) =>
            answers.Add(await RequestAsync(cookie: null, header: null, cancellationToken)));
        var onCanary = answers.Count(a => a.Version == "v2");
        var stays = await Task.WhenAll(answers.Where(a => a.Version == "v2").Take(20).Concat(answers.Where(a => a.Version == "v1").Take(20))
            .Select(a => StaysAsync(a.Version, a.Cookie)));
        var status = await Host.GetJsonAsync("/_pluginhost/status");
        var metrics = new PrometheusText(await Host.Client.GetStringAsync("/_pluginhost/metrics"));
        var page = await Host.Client.GetStringAsync("/_pluginhost/");
        var releases = await CliRunner.RunAsync(Releases, "releases");
        var hostStatus = await CliRunner.RunAsync(Releases, "status");

        Assert.Contains("canary: 'v2' generation", promote.Out, StringComparison.Ordinal);
        Assert.InRange(onCanary, NewClients * 7 / 100, NewClients * 13 / 100);
        // The cookie names the canary's version (a new canary rolls everyone again) and the side: c(anary) or s(table).
        Assert.All(answers, a => Assert.Equal($"pluginhost-canary=v2.{(a.Version == "v2" ? "c" : "s")}; path=/; samesite=lax; httponly", a.Cookie));
        Assert.All(stays, Assert.True);
        var canary = status.GetProperty("canary");
        Assert.Equal(("v2", 10.0, "v1"), (canary.GetProperty("version").GetString(), canary.GetProperty("share").GetDouble(), status.GetProperty("version").GetString()));
        Assert.True(canary.GetProperty("canary").GetProperty("requests").GetInt64() >= onCanary + 400, canary.ToString());
        Assert.True(metrics.Value("pluginhost_canary_requests_total", ("role", "canary")) >= onCanary);
        Assert.True(metrics.Value("pluginhost_canary_requests_total", ("role", "stable")) >= NewClients - onCanary);
        Assert.True(metrics.Value("pluginhost_canary_request_time_seconds_total", ("role", "canary")) > 0);
        Assert.Equal(0, metrics.Value("pluginhost_canary_server_errors_total", ("role", "canary")));
        Assert.Equal(10, metrics.Value("pluginhost_canary_share"));
        Assert.Contains("id=\"canary\"", page, StringComparison.Ordinal);
        Assert.Contains("v2  ", releases.Out, StringComparison.Ordinal);
        Assert.Contains("canary (10% of clients)", releases.Out, StringComparison.Ordinal);
        Assert.Contains("v2 to 10% of clients besides v1", releases.Out, StringComparison.Ordinal);
        Assert.Contains("canary:", hostStatus.Out, StringComparison.Ordinal);
        Assert.Equal("v1", new ReleaseStore(Releases.ReleasesRoot).Production);
    }

    [Fact]
    public async Task Header_ForcesTheCanary_WithoutACookie()
    {
        using var response = await Host.Client.PostAsync("/_pluginhost/canary?version=v2&share=1&header=X-Canary%3Dyes", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var forced = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RequestAsync(cookie: "pluginhost-canary=v2.s", header: ("X-Canary", "yes"), CancellationToken.None)));
        var otherValue = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RequestAsync(cookie: "pluginhost-canary=v2.s", header: ("X-Canary", "no"), CancellationToken.None)));

        Assert.All(forced, a => Assert.Equal(("v2", ""), a));
        Assert.All(otherValue, a => Assert.Equal(("v1", ""), a));
    }

    [Fact]
    public async Task Finish_SwapsTheCanaryGenerationInWithoutALoad()
    {
        await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "10%");
        var canaryNumber = Host.Coordinator.Canary!.Generation.Number;
        var loadsBefore = Loaded();
        var reloadsBefore = Host.Coordinator.History.Count;

        var finish = await CliRunner.RunAsync(Releases, "promote", "--finish");
        await Eventually.WaitAsync(() => Host.Current.Value?.Release.Version == "v2", "v2 served to everyone");
        await Host.WaitForReloadResultAsync(reloadsBefore, "the finishing reload recorded");
        var served = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RequestAsync(cookie: "pluginhost-canary=v2.s", header: null, CancellationToken.None)));

        Assert.True(finish.ExitCode == 0, finish.Error);
        Assert.Contains("not validated again", finish.Out, StringComparison.Ordinal);
        Assert.Equal(canaryNumber, Host.GenerationNumber);
        Assert.Equal(SwapKinds.Canary, Host.Coordinator.LastResult!.Swap);
        Assert.Equal(loadsBefore, Loaded());
        Assert.Null(Host.Coordinator.Canary);
        Assert.All(served, a => Assert.Equal(("v2", ""), a));
        var standby = Assert.Single(Host.Coordinator.Standbys);
        Assert.Equal(("v1", StandbyRole.Previous), (standby.Generation.Release.Version, standby.Role));
        standby = null;
        Assert.Equal("v2", new ReleaseStore(Releases.ReleasesRoot).Production);
        await Host.Coordinator.StopAsync();
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task AdminFinish_FlipsTheLinkAndSwapsTheCanaryIn()
    {
        using (var start = await Host.Client.PostAsync("/_pluginhost/canary?version=v2&share=10", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var canaryNumber = Host.Coordinator.Canary!.Generation.Number;
        var loadsBefore = Loaded();

        using var finish = await Host.Client.PostAsync("/_pluginhost/canary/finish", null);
        var result = JsonDocument.Parse(await finish.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Equal((SwapKinds.Canary, canaryNumber), (result.GetProperty("swap").GetString(), result.GetProperty("generation").GetInt64()));
        Assert.Equal(canaryNumber, Host.GenerationNumber);
        Assert.Equal(loadsBefore, Loaded());
        Assert.Equal("v2", new ReleaseStore(Releases.ReleasesRoot).Production);
        await Host.Coordinator.StopAsync();
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Rollback_AbortsTheCanaryInstantly_AndLeavesTheLink()
    {
        await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "50%");
        var stableNumber = Host.GenerationNumber;
        var loadsBefore = Loaded();
        var collectedBefore = Host.Tracker.CollectedCount;

        var rollback = await CliRunner.RunAsync(Releases, "rollback");
        var served = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => RequestAsync(cookie: null, header: null, CancellationToken.None)));

        Assert.True(rollback.ExitCode == 0, rollback.Error);
        Assert.Contains("canary of 'v2' aborted", rollback.Out, StringComparison.Ordinal);
        Assert.Null(Host.Coordinator.Canary);
        Assert.Equal(stableNumber, Host.GenerationNumber);
        Assert.Equal(loadsBefore, Loaded());
        Assert.All(served, a => Assert.Equal(("v1", ""), a));
        Assert.Equal("v1", new ReleaseStore(Releases.ReleasesRoot).Production);
        Assert.Null(new ReleaseStore(Releases.ReleasesRoot).ActiveCanary());
        Assert.Contains(new ReleaseStore(Releases.ReleasesRoot).History.ReadAll(),
            e => e.Action == ReleaseActions.CanaryEnd && e.To == "v2" && e.Reason == "aborted: by 'pluginhost rollback'");
        Assert.Empty(await Host.CollectRetiredAsync());
        Assert.True(Host.Tracker.CollectedCount >= collectedBefore + 2, $"collected {Host.Tracker.CollectedCount}: the canary's two app contexts");
        var status = await Host.GetJsonAsync("/_pluginhost/status");
        Assert.Equal(0, status.GetProperty("retiredAlive").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("canary").ValueKind);
    }

    [Fact]
    public async Task AdminRollback_DuringACanary_AbortsIt()
    {
        using (var start = await Host.Client.PostAsync("/_pluginhost/canary?version=v2&share=10", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var stableNumber = Host.GenerationNumber;
        using var rollback = await Host.Client.PostAsync("/_pluginhost/rollback", null);

        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Null(Host.Coordinator.Canary);
        Assert.Equal(stableNumber, Host.GenerationNumber);
        Assert.Equal("v1", new ReleaseStore(Releases.ReleasesRoot).Production);
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Reload_DuringCanary_RebuildsBoth()
    {
        await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "10%");
        var (stableBefore, canaryBefore) = (Host.GenerationNumber, Host.Coordinator.Canary!.Generation.Number);

        Releases.Touch();
        await Host.WaitForGenerationAsync(canaryBefore, "the reload of v1 during the canary");
        var forced = await RequestAsync(cookie: "pluginhost-canary=v2.c", header: null, CancellationToken.None);

        Assert.NotEqual(stableBefore, Host.GenerationNumber);
        Assert.True(Host.Coordinator.Canary!.Generation.Number > canaryBefore);
        Assert.Equal("v2", forced.Version);
        await Host.Coordinator.StopAsync();
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Restart_ResumesTheRecordedCanary()
    {
        await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "10%", "--canary-header", "X-Canary=yes");

        await RestartHostAsync();
        _clients?.Dispose();
        _clients = null;
        var forced = await RequestAsync(cookie: null, header: ("X-Canary", "yes"), CancellationToken.None);
        var target = Host.Coordinator.Canary!.Target;

        Assert.Equal(("v2", 10.0, "X-Canary=yes"), (target.Version, target.Share, target.Header?.ToString()));
        Assert.Equal(("v2", ""), forced);
        Assert.Equal("v1", Host.Current.Value!.Release.Version);
        await Host.Coordinator.StopAsync();
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Theory]
    [InlineData("v9", "10%", "release 'v9' not found")]
    [InlineData("v2", "0%", "from 1% to 99%")]
    [InlineData("v2", "100", "from 1% to 99%")]
    [InlineData("v1", "10%", "'v1' is production already")]
    public async Task Canary_BadInput_OneLineNamingTheCause_NothingChanges(string version, string share, string cause)
    {
        var result = await CliRunner.RunAsync(Releases, "promote", version, "--canary", share);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(cause, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Null(Host.Coordinator.Canary);
        Assert.Equal("v1", new ReleaseStore(Releases.ReleasesRoot).Production);
    }

    [Theory]
    [InlineData("canary?version=v2&share=0", HttpStatusCode.BadRequest, "from 1% to 99%")]
    [InlineData("canary?version=v2&share=ten", HttpStatusCode.BadRequest, "share=<1 to 99 percent>; got 'ten'")]
    [InlineData("canary?version=v2&share=10&header=a%20b", HttpStatusCode.BadRequest, "canary header 'a b'")]
    [InlineData("canary?version=v9&share=10", HttpStatusCode.UnprocessableEntity, "release 'v9' not found")]
    [InlineData("canary?version=v1&share=10", HttpStatusCode.UnprocessableEntity, "already served to everyone")]
    [InlineData("canary/finish", HttpStatusCode.Conflict, "no canary is running: nothing to finish")]
    [InlineData("canary/abort", HttpStatusCode.Conflict, "no canary is running: nothing to abort")]
    public async Task AdminApi_BadCanaryRequest_OneLineNamingTheCause(string request, HttpStatusCode status, string cause)
    {
        using var response = await Host.Client.PostAsync("/_pluginhost/" + request, null);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(cause, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Null(Host.Coordinator.Canary);
    }

    [Fact]
    public async Task Finish_WithoutACanary_SaysThereIsNone()
    {
        var result = await CliRunner.RunAsync(Releases, "promote", "--finish");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no canary is running", result.Error, StringComparison.Ordinal);
    }

    private async Task<bool> StaysAsync(string version, string setCookie)
    {
        var cookie = setCookie.Split(';')[0];
        for (var i = 0; i < 20; i++)
        {
            var answer = await RequestAsync(cookie, header: null, CancellationToken.None);
            if (answer != (version, ""))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One request as a client without a cookie jar: the version that answered and the Set-Cookie it got ("" for none).</summary>
    private async Task<(string Version, string Cookie)> RequestAsync(string? cookie, (string Name, string Value)? header, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/version");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (header is { } sent)
        {
            request.Headers.Add(sent.Name, sent.Value);
        }

        using var response = await Clients.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join(",", values) : "";
        return (body.GetProperty("version").GetString()!, setCookie);
    }

    public void Dispose() => _clients?.Dispose();

    private int Loaded() => Host.Logs.Events.Count(e => CollectingSink.EventName(e) == "AppLoaded");
}

/// <summary>Issue 15, canary auto-abort: a canary whose requests answer 500 over canary.maxErrorRate is aborted and marked bad.</summary>
public sealed class CanaryAutoAbortTests : HostedTest
{
    protected override bool UseConfigUrls => true;

    protected override void Arrange()
    {
        Releases.ArrangeTwoSampleReleasesOnAFixedPort();
        File.AppendAllText(Releases.ConfigPath, "canary:\n  maxErrorRate: 5%\n  minRequests: 20\n");
    }

    [Fact]
    public async Task CanaryAnswering500_IsAbortedAndMarkedBad()
    {
        var start = await CliRunner.RunAsync(Releases, "promote", "v2", "--canary", "10%", "--canary-header", "X-Canary");
        Assert.True(start.ExitCode == 0, start.Error);
        var stableNumber = Host.GenerationNumber;

        // The sample's /throw throws: the canary answers 500 to every request the header sends it.
        for (var i = 0; i < 25 && Host.Coordinator.Canary is not null; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/throw");
            request.Headers.Add("X-Canary", "1");
            using var response = await Host.Client.SendAsync(request);
        }

        var store = new ReleaseStore(Releases.ReleasesRoot);
        // The split ends first (no more canary traffic), the history is written right after.
        await Eventually.WaitAsync(() => Host.Coordinator.Canary is null && store.IsBad("v2"), "the canary aborted and v2 marked bad");

        Assert.Contains("over canary.maxErrorRate 5%", store.GetBadReason("v2"), StringComparison.Ordinal);
        Assert.Equal("v1", store.Production);
        Assert.Equal(stableNumber, Host.GenerationNumber);
        Assert.Single(Host.Logs.Events, e => CollectingSink.EventName(e) == "CanaryAutoAbort");
        Assert.Empty(await Host.CollectRetiredAsync());
    }
}

/// <summary>
/// Issue 15, canary memory: a request served by production that outlives an aborted canary does not keep the canary's
/// generation alive (requests hold the canary's tally, not its route).
/// </summary>
public sealed class CanaryLongRequestTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("Slow", "CrashesOnDemand"));
        Releases.CreateRelease("v2", ("Slow", "CrashesOnDemand"));
        Releases.Promote("v1");
        Releases.WriteAppsConfig("""
            - name: Slow
              mount: /
              assembly: Slow/CrashesOnDemand.dll
            """);
    }

    [Fact]
    public async Task AbortedCanary_IsCollectedWhileAStableRequestStillRuns()
    {
        using (var start = await Host.Client.PostAsync("/_pluginhost/canary?version=v2&share=50", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        using var slowClient = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Host.Address };
        using var stop = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/slow?ms=60000");
        request.Headers.Add("Cookie", "pluginhost-canary=v2.s");
        var slow = slowClient.SendAsync(request, stop.Token);
        await Eventually.WaitAsync(() => Host.Current.Value!.InFlight == 1, "the slow request running on production");

        using (var abort = await Host.Client.PostAsync("/_pluginhost/canary/abort", null))
        {
            Assert.Equal(HttpStatusCode.OK, abort.StatusCode);
        }

        // Well within the slow request's minute: collection can take many seconds on a loaded machine.
        var alive = await Host.CollectRetiredAsync(TimeSpan.FromSeconds(40));
        var stillRunning = !slow.IsCompleted;
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);

        Assert.True(stillRunning, "the slow request ended before the canary was collected: the test proves nothing");
        Assert.Empty(alive);
        Assert.True(Host.Tracker.CollectedCount >= 1, "the canary's app context collected");
    }
}

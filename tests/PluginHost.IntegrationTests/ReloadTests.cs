using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 3: touch, flip and rollback reload the whole dependency graph, and old generations unload. Without the warm standby
/// (reload.keepPrevious: false), so every flip builds; <see cref="StandbyTests"/> covers the standby.
/// </summary>
public sealed class ReloadTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateSampleRelease("v2", aggregation: "ReportingApi.Aggregation.V2");
        Releases.Promote("v1");
        Releases.WriteSampleConfig(keepPrevious: false);
    }

    [Fact]
    public async Task Touch_Trigger_ServesANewGeneration()
    {
        var before = Host.GenerationNumber;

        Releases.Touch();
        await Host.WaitForGenerationAsync(before, "a reload after touching the trigger");

        var json = await Host.GetJsonAsync("/api/v1/version");
        Assert.Equal(before + 1, json.GetProperty("generation").GetInt64());
        Assert.Equal("reload trigger touched", Host.Coordinator.LastResult!.Trigger);
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task FlipAndRollback_SymlinkChanges_ServeTheWholeGraphOfEachRelease()
    {
        var v1 = await Host.GetJsonAsync("/api/v1/version");

        Releases.Promote("v2");
        await Host.WaitForGenerationAsync(1, "the flip to v2");
        var v2 = await Host.GetJsonAsync("/api/v1/version");
        var v2Page = await Host.Client.GetStringAsync("/");

        Releases.Promote("v1");
        await Host.WaitForGenerationAsync(2, "the rollback to v1");
        var back = await Host.GetJsonAsync("/api/v1/version");

        Assert.Equal(("v1", "sum-v1"), VersionAndAlgorithm(v1));
        // v2 differs from v1 only in ReportingApi.Aggregation.dll: its new behaviour proves the dependency reloaded too.
        Assert.Equal(("v2", "sum-v2"), VersionAndAlgorithm(v2));
        Assert.Equal(20, v2.GetProperty("aggregation").GetProperty("total").GetDouble());
        Assert.Equal(("v1", "sum-v1"), VersionAndAlgorithm(back));
        Assert.Contains("<dd id=\"version\">v2</dd>", v2Page);
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Touch_AfterFilesReplacedInPlace_ServesTheNewCode()
    {
        var v2Aggregation = Path.Combine(RepoPaths.PluginBuild("ReportingApi.Aggregation.V2"), "ReportingApi.Aggregation.dll");

        Releases.ReplaceFile("v1", "ReportingApi", v2Aggregation);
        var stillOld = await Host.GetJsonAsync("/api/v1/version");
        Releases.Touch();
        await Host.WaitForGenerationAsync(1, "the reload after the in-place redeploy");
        var now = await Host.GetJsonAsync("/api/v1/version");

        Assert.Equal("sum-v1", VersionAndAlgorithm(stillOld).Algorithm);
        Assert.Equal(("v1", "sum-v2"), VersionAndAlgorithm(now));
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Reloads_UnderContinuousLoad_FailNoRequestAndNeverMixVersions()
    {
        var failures = new ConcurrentQueue<string>();
        var served = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(() => RequestContinuouslyAsync(failures, served, stop.Token))).ToList();

        for (var i = 0; i < 20; i++)
        {
            var before = Host.GenerationNumber;
            Releases.Promote(i % 2 == 0 ? "v2" : "v1");
            await Host.WaitForGenerationAsync(before, $"reload {i + 1} of 20");
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(served.GetValueOrDefault("v1/sum-v1") > 0 && served.GetValueOrDefault("v2/sum-v2") > 0, string.Join(", ", served));
        Assert.Equal(2, served.Count);
        Assert.Equal(21, Host.GenerationNumber);
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task FiftyReloads_EveryRetiredContext_IsCollected()
    {
        for (var i = 0; i < 50; i++)
        {
            var before = Host.GenerationNumber;
            Releases.Touch();
            await Host.WaitForGenerationAsync(before, $"reload {i + 1} of 50");
        }

        var alive = await Host.CollectRetiredAsync();

        Assert.Equal(51, Host.GenerationNumber);
        Assert.Empty(alive);
        await Eventually.WaitAsync(() => Host.Tracker.CollectedCount >= 100, "the unload tracker confirming all 100 retired app generations");
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.GetAsync("/api/v1/version")).StatusCode);
    }

    private async Task RequestContinuouslyAsync(ConcurrentQueue<string> failures, ConcurrentDictionary<string, int> served, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Host.Address };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync("/api/v1/version", CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode}: {body}");
                    continue;
                }

                var (version, algorithm) = VersionAndAlgorithm(JsonDocument.Parse(body).RootElement);
                served.AddOrUpdate($"{version}/{algorithm}", 1, (_, n) => n + 1);
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue(ex.Message);
            }
        }
    }

    private static (string Version, string Algorithm) VersionAndAlgorithm(JsonElement json) =>
        (json.GetProperty("version").GetString()!, json.GetProperty("aggregation").GetProperty("algorithm").GetString()!);
}

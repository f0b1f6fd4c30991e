using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Issue 12: apps[].maxConcurrentRequests keeps one slow app from holding every connection; the others keep answering.</summary>
public sealed class ConcurrencyLimitTests : HostPerTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"), ("Slow", "SlowRequest"));
        Releases.Promote("v1");
        PolicyConfig.Write(Releases, """
            apps:
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
              - name: Slow
                mount: /slow
                assembly: Slow/SlowRequest.dll
                maxConcurrentRequests: 2
            """);
    }

    [Fact]
    public async Task SlowApp_AtItsLimit_503WithRetryAfterWhileTheOtherAppAnswers_ThenServesAgain()
    {
        var host = await StartHostAsync();
        using var release = new CancellationTokenSource();
        var slow = Enumerable.Range(0, 2).Select(_ => host.Client.GetAsync("/slow/slow?ms=600000", release.Token)).ToList();
        await Eventually.WaitAsync(() => host.Current.Value!.Apps.Single(a => a.Name == "Slow").InFlight == 2, "two slow requests running");

        using var third = await host.Client.GetAsync("/slow/slow?ms=0");
        var others = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Client.GetAsync("/api/v1/version")));
        await release.CancelAsync();
        foreach (var request in slow)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), third.Headers.RetryAfter?.Delta);
        Assert.All(others, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // Cancelled requests gave their permits back: the app serves again.
        await Eventually.WaitAsync(async () =>
        {
            using var again = await host.Client.GetAsync("/slow/slow?ms=0");
            return again.StatusCode == HttpStatusCode.OK;
        }, "the slow app answering again after its requests ended");
        foreach (var response in others)
        {
            response.Dispose();
        }
    }
}

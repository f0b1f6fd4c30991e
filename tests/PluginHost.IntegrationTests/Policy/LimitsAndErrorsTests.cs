using System.Net;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>
/// Issue 5: maxRequestBodySize, requestTimeout, exceptions and unknown prefixes, each for that request only; issue 12:
/// maxConcurrentRequests (the SlowRequest plugin once more as "Limited", without a request timeout).
/// </summary>
public sealed class LimitsAndErrorsTests : HostedTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"), ("SlowRequest", "SlowRequest"), ("Limited", "SlowRequest"));
        Releases.Promote("v1");
        PolicyConfig.Write(Releases, """
            apps:
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
                maxRequestBodySize: 1KB
              - name: SlowRequest
                mount: /slow
                assembly: SlowRequest/SlowRequest.dll
                requestTimeout: 300ms
              - name: Limited
                mount: /limited
                assembly: Limited/SlowRequest.dll
                maxConcurrentRequests: 2
            """);
    }

    [Fact]
    public async Task MaxConcurrentRequests_SlowAppAtItsLimit_503WithRetryAfterWhileAnotherAppAnswers_ThenServesAgain()
    {
        using var release = new CancellationTokenSource();
        var slow = Enumerable.Range(0, 2).Select(_ => Host.Client.GetAsync("/limited/slow?ms=600000", release.Token)).ToList();
        await Eventually.WaitAsync(() => Host.Current.Value!.Apps.Single(a => a.Name == "Limited").InFlight == 2, "two slow requests running");

        using var third = await Host.Client.GetAsync("/limited/slow?ms=0");
        var others = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Host.Client.GetAsync("/api/v1/version")));
        await release.CancelAsync();
        foreach (var request in slow)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), third.Headers.RetryAfter?.Delta);
        Assert.All(others, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains(Host.Logs.Events, e => e.MessageTemplate.Text.Contains("(maxConcurrentRequests)", StringComparison.Ordinal));
        // Cancelled requests gave their permits back: the app serves again.
        await Eventually.WaitAsync(async () =>
        {
            using var again = await Host.Client.GetAsync("/limited/slow?ms=0");
            return again.StatusCode == HttpStatusCode.OK;
        }, "the limited app answering again after its requests ended");
        foreach (var response in others)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Throw_AppThrows_500WithoutStackTraceThenNextRequestWorks()
    {
        using var failed = await Host.Client.GetAsync("/api/v1/throw");
        var body = await failed.Content.ReadAsStringAsync();
        using var next = await Host.Client.GetAsync("/api/v1/version");
        using var other = await Host.Client.GetAsync("/slow/slow?ms=0");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var logged = Assert.Single(Host.Logs.Events, e => e.MessageTemplate.Text.Contains("threw while handling", StringComparison.Ordinal));
        Assert.Equal("ReportingApi", CollectingSink.Property(logged, "App"));
        Assert.Equal("v1", CollectingSink.Property(logged, "Version"));
        Assert.Equal("1", CollectingSink.Property(logged, "Generation"));
        Assert.NotNull(logged.Exception);
    }

    [Fact]
    public async Task Echo_BodyOverLimitWithContentLength_413ThenSmallBodyWorks()
    {
        using var tooBig = await Host.Client.PostAsync("/api/v1/echo", new ByteArrayContent(new byte[2048]));
        using var small = await Host.Client.PostAsync("/api/v1/echo", new ByteArrayContent(new byte[1000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Contains("1000", await small.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_ChunkedBodyOverLimit_413()
    {
        var content = new StreamContent(new NonSeekableStream(new byte[4096]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/echo") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Slow_OverRequestTimeout_503ThenFastRequestWorks()
    {
        var started = DateTime.UtcNow;
        using var slow = await Host.Client.GetAsync("/slow/slow?ms=20000");
        var took = DateTime.UtcNow - started;
        using var fast = await Host.Client.GetAsync("/slow/slow?ms=10");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
        Assert.Equal("done", await fast.Content.ReadAsStringAsync());
        Assert.Contains(Host.Logs.Messages, m => m.Contains("answered 503", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/nothing-here")]
    [InlineData("/api")]
    [InlineData("/api/v2/version")]
    [InlineData("/slower")]
    public async Task UnknownPrefix_NoAppMounted_404(string path)
    {
        using var response = await Host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Forces HttpClient to send without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

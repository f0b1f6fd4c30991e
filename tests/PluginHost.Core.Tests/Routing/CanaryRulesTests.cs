using Microsoft.AspNetCore.Http;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Tests.Routing;

/// <summary>Who gets the canary: the header first, then the client's cookie for this canary, then a roll against the share.</summary>
public sealed class CanaryRulesTests
{
    private readonly IShareRoll _roll = Substitute.For<IShareRoll>();

    [Theory]
    [InlineData(9.99, CanaryChoice.RolledCanary)]
    [InlineData(10.0, CanaryChoice.RolledStable)]
    [InlineData(99.0, CanaryChoice.RolledStable)]
    public void Choose_NewClient_RollsAgainstTheShare(double rolled, CanaryChoice expected)
    {
        _roll.Next().Returns(rolled);

        Assert.Equal(expected, Rules().Choose(Request()));
    }

    [Theory]
    [InlineData("v2.c", CanaryChoice.CookieCanary)]
    [InlineData("v2.s", CanaryChoice.CookieStable)]
    public void Choose_CookieOfThisCanary_DecidesWithoutRolling(string cookie, CanaryChoice expected)
    {
        var choice = Rules().Choose(Request(cookie: cookie));

        Assert.Equal(expected, choice);
        _roll.DidNotReceive().Next();
    }

    [Fact]
    public void Choose_CookieOfAnEarlierCanary_RollsAgain()
    {
        _roll.Next().Returns(50.0);

        Assert.Equal(CanaryChoice.RolledStable, Rules().Choose(Request(cookie: "v1.c")));
        _roll.Received(1).Next();
    }

    [Fact]
    public void Choose_Header_ForcesTheCanaryOverAStableCookie()
    {
        var choice = Rules(new CanaryHeader("X-Canary", null)).Choose(Request(cookie: "v2.s", header: ("X-Canary", "anything")));

        Assert.Equal(CanaryChoice.Header, choice);
    }

    [Theory]
    [InlineData("yes", CanaryChoice.Header)]
    [InlineData("no", CanaryChoice.CookieStable)]
    public void Choose_HeaderWithValue_ForcesOnlyWithThatValue(string sent, CanaryChoice expected)
    {
        var choice = Rules(new CanaryHeader("X-Canary", "yes")).Choose(Request(cookie: "v2.s", header: ("X-Canary", sent)));

        Assert.Equal(expected, choice);
    }

    [Theory]
    [InlineData("X-Canary", "X-Canary", null)]
    [InlineData("X-Canary=1", "X-Canary", "1")]
    [InlineData("X-Canary=", "X-Canary", "")]
    public void HeaderParse_NameAndOptionalValue(string text, string name, string? value) =>
        Assert.Equal(new CanaryHeader(name, value), CanaryHeader.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("=1")]
    [InlineData("X Canary=1")]
    public void HeaderParse_InvalidName_NamesTheText(string text) =>
        Assert.Contains($"'{text}'", Assert.Throws<ArgumentException>(() => CanaryHeader.Parse(text)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0.5)]
    [InlineData(100)]
    [InlineData(0)]
    public void RequireShare_OutsideOneToNinetyNine_Throws(double share) =>
        Assert.Contains("from 1% to 99%", Assert.Throws<ArgumentException>(() => CanaryTarget.RequireShare(share)).Message, StringComparison.Ordinal);

    [Fact]
    public void Enter_NewClient_SetsTheStickyCookieOfItsSide()
    {
        _roll.Next().Returns(1.0);
        var canary = Generation(2, "v2");
        var context = Context();

        var entered = TrafficSplit.Enter(context, Route(canary), Current(Generation(1, "v1")), out var onCanary);

        Assert.True(onCanary);
        Assert.Same(canary, entered);
        Assert.Equal("pluginhost-canary=v2.c; path=/; samesite=lax; httponly", context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public void Enter_CanaryRetiredMeanwhile_FallsBackToTheCurrentGeneration()
    {
        var canary = Generation(2, "v2");
        _ = canary.RetireAsync();
        var stable = Generation(1, "v1");
        var context = Context(cookie: "v2.c");

        var entered = TrafficSplit.Enter(context, Route(canary), Current(stable), out var onCanary);

        Assert.False(onCanary);
        Assert.Same(stable, entered);
        Assert.Equal(0, context.Response.Headers.SetCookie.Count);
    }

    [Fact]
    public void Guard_FiresOnlyOverTheRateAfterMinRequests()
    {
        var guard = new CanaryGuard(MaxErrorRate: 5, MinRequests: 20);
        var stats = new CanarySideStats();
        for (var i = 0; i < 19; i++)
        {
            stats.Record(500, TimeSpan.FromMilliseconds(1));
        }

        var early = guard.Verdict(stats);
        stats.Record(500, TimeSpan.FromMilliseconds(1));

        Assert.Null(early);
        Assert.Equal("20 of 20 canary requests answered 5xx (100%), over canary.maxErrorRate 5%", guard.Verdict(stats));
        Assert.Null(new CanaryGuard(null, 1).Verdict(stats));
    }

    [Fact]
    public void Guard_AtTheRate_DoesNotFire()
    {
        var stats = new CanarySideStats();
        for (var i = 0; i < 100; i++)
        {
            stats.Record(i < 5 ? 503 : 200, TimeSpan.Zero);
        }

        Assert.Null(new CanaryGuard(5, 100).Verdict(stats));
    }

    private CanaryRules Rules(CanaryHeader? header = null) => new(Target(header), _roll);

    private static CanaryTarget Target(CanaryHeader? header = null) => new("v2", 10, header, DateTimeOffset.UnixEpoch);

    private CanaryRoute Route(Generation canary) => new(canary, Target(), new CanaryGuard(null, 100), _roll, (_, _) => { });

    private static HttpRequest Request(string? cookie = null, (string Name, string Value)? header = null) => Context(cookie, header).Request;

    private static DefaultHttpContext Context(string? cookie = null, (string Name, string Value)? header = null)
    {
        var context = new DefaultHttpContext();
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"other=1; {CanaryCookie.Name}={cookie}";
        }

        if (header is { } sent)
        {
            context.Request.Headers[sent.Name] = sent.Value;
        }

        return context;
    }

    private static CurrentGeneration Current(Generation generation)
    {
        var current = new CurrentGeneration();
        current.Swap(generation);
        return current;
    }

    private static Generation Generation(long number, string version) => new(number, new ResolvedRelease(version, "/releases/" + version), [], DateTimeOffset.UnixEpoch);
}

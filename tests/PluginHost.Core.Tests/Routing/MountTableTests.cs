using PluginHost.Core.Routing;

namespace PluginHost.Core.Tests.Routing;

public sealed class MountTableTests
{
    private static MountTable<string> Table(params (string Mount, string[] Hosts, string Name)[] mounts) =>
        new(mounts.Select(m => (m.Mount, (IReadOnlyList<string>)m.Hosts, m.Name, m.Name)));

    [Theory]
    [InlineData("/api/v1/x", "api", "/api/v1")]
    [InlineData("/api/v1", "api", "/api/v1")]
    [InlineData("/api/v1/", "api", "/api/v1")]
    [InlineData("/API/V1/x", "api", "/api/v1")]
    [InlineData("/api/v10", "web", "/")]
    [InlineData("/api/v1x/y", "web", "/")]
    [InlineData("/api", "web", "/")]
    [InlineData("/about", "web", "/")]
    [InlineData("/", "web", "/")]
    [InlineData("", "web", "/")]
    [InlineData("/api/v1/admin/z", "admin", "/api/v1/admin")]
    public void TryMatch_LongestSegmentPrefix_Wins(string path, string expected, string mount)
    {
        var sut = Table(("/api/v1", [], "api"), ("/", [], "web"), ("/api/v1/admin", [], "admin"));

        Assert.True(sut.TryMatch(null, path, out var match));
        Assert.Equal((expected, mount), (match.Target, match.Mount));
    }

    [Fact]
    public void TryMatch_ConfigOrderReversed_SameResult()
    {
        var forward = Table(("/", [], "web"), ("/api/v1", [], "api"));
        var backward = Table(("/api/v1", [], "api"), ("/", [], "web"));

        Assert.True(forward.TryMatch(null, "/api/v1/version", out var a));
        Assert.True(backward.TryMatch(null, "/api/v1/version", out var b));
        Assert.Equal("api", a.Target);
        Assert.Equal("api", b.Target);
    }

    [Fact]
    public void TryMatch_NoRootApp_UnknownPrefixHasNoMatch()
    {
        var sut = Table(("/api/v1", [], "api"));

        Assert.False(sut.TryMatch(null, "/other", out _));
        Assert.False(sut.TryMatch(null, "/api/v10", out _));
    }

    [Fact]
    public void TryMatch_VirtualHost_WinsOverCatchAllOnTheSameMount()
    {
        var sut = Table(("/", ["shop.example"], "shop"), ("/", [], "site"));

        Assert.True(sut.TryMatch("shop.example", "/", out var shop));
        Assert.True(sut.TryMatch("SHOP.example", "/x", out var shopUpper));
        Assert.True(sut.TryMatch("other.example", "/", out var other));
        Assert.Equal(("shop", "shop", "site"), (shop.Target, shopUpper.Target, other.Target));
    }

    [Fact]
    public void TryMatch_HostOnlyMount_OtherHostsFallBackToShorterPrefix()
    {
        var sut = Table(("/api", ["api.example"], "api"), ("/", [], "site"));

        Assert.True(sut.TryMatch("www.example", "/api/x", out var match));

        Assert.Equal("site", match.Target);
    }

    [Fact]
    public void Constructor_TwoAppsOnOneMountAndHost_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => Table(("/api", [], "first"), ("/API", [], "second")));

        Assert.Contains("first", error.Message);
        Assert.Contains("second", error.Message);
    }
}

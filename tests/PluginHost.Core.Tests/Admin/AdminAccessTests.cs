using System.Net;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Admin;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Admin;

public sealed class AdminAccessTests
{
    private static DefaultHttpContext Request(string remote, string? authorization = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Refusal_DefaultAllowAndLoopbackClient_Allowed(string remote)
    {
        var sut = new AdminAccess(new AdminConfig());

        Assert.Null(sut.Refusal(Request(remote)));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.1")]
    [InlineData("2001:db8::1")]
    public void Refusal_DefaultAllowAndRemoteClient_Forbidden(string remote)
    {
        var sut = new AdminAccess(new AdminConfig());

        Assert.Equal(StatusCodes.Status403Forbidden, sut.Refusal(Request(remote)));
    }

    [Fact]
    public void Refusal_AllowListExcludesLoopback_Forbidden()
    {
        var sut = new AdminAccess(new AdminConfig { Allow = ["10.0.0.0/8", "192.168.1.7"] });

        Assert.Equal(StatusCodes.Status403Forbidden, sut.Refusal(Request("127.0.0.1")));
        Assert.Null(sut.Refusal(Request("10.20.30.40")));
        Assert.Null(sut.Refusal(Request("192.168.1.7")));
        Assert.Equal(StatusCodes.Status403Forbidden, sut.Refusal(Request("192.168.1.8")));
    }

    [Fact]
    public void Refusal_NoRemoteAddress_Forbidden()
    {
        var sut = new AdminAccess(new AdminConfig());

        Assert.Equal(StatusCodes.Status403Forbidden, sut.Refusal(new DefaultHttpContext()));
    }

    [Theory]
    [InlineData(null, StatusCodes.Status401Unauthorized)]
    [InlineData("Bearer wrong", StatusCodes.Status401Unauthorized)]
    [InlineData("Basic czNjcmV0", StatusCodes.Status401Unauthorized)]
    [InlineData("Bearer s3cret-token", null)]
    [InlineData("bearer  s3cret-token ", null)]
    public void Refusal_TokenSet_RequiresTheBearerToken(string? authorization, int? expected)
    {
        var sut = new AdminAccess(new AdminConfig { Token = "s3cret-token" });

        Assert.Equal(expected, sut.Refusal(Request("127.0.0.1", authorization)));
    }

    [Fact]
    public void Refusal_TokenSetButAddressExcluded_ForbiddenEvenWithTheToken()
    {
        var sut = new AdminAccess(new AdminConfig { Allow = ["10.0.0.0/8"], Token = "s3cret-token" });

        Assert.Equal(StatusCodes.Status403Forbidden, sut.Refusal(Request("127.0.0.1", "Bearer s3cret-token")));
    }

    /// <summary>A request whose connection comes from <paramref name="peer"/> (what the forwarded-headers middleware never changes).</summary>
    private static DefaultHttpContext FromPeer(string peer, string? header = null)
    {
        var context = Request(peer);
        if (header is not null)
        {
            context.Request.Headers[header] = "203.0.113.7";
        }

        // As in the host's pipeline: the peer is kept, then the forwarded-headers middleware replaces the address.
        DirectPeer.CaptureAsync(context, _ => Task.CompletedTask).GetAwaiter().GetResult();
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        return context;
    }

    [Theory]
    [InlineData("X-Forwarded-For")]
    [InlineData("X-Forwarded-Proto")]
    [InlineData("X-Forwarded-Host")]
    [InlineData("Forwarded")]
    public void UndeclaredForwarding_HeaderFromUndeclaredPeer_NamesTheHeader(string header)
    {
        var sut = new AdminAccess(new AdminConfig(), new ForwardedHeadersConfig { KnownProxies = ["10.0.0.0/8"] });

        Assert.Equal(header, sut.UndeclaredForwarding(FromPeer("127.0.0.1", header)));
    }

    [Fact]
    public void UndeclaredForwarding_NoProxiesDeclared_AnyForwardedHeaderRefused()
    {
        var sut = new AdminAccess(new AdminConfig());

        Assert.Equal("X-Forwarded-For", sut.UndeclaredForwarding(FromPeer("127.0.0.1", "X-Forwarded-For")));
        Assert.Null(sut.UndeclaredForwarding(Request("127.0.0.1")));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("::ffff:10.1.2.3")]
    public void UndeclaredForwarding_DeclaredPeer_NotRefused(string peer)
    {
        var sut = new AdminAccess(new AdminConfig(), new ForwardedHeadersConfig { KnownProxies = ["10.0.0.0/8"] });

        Assert.Null(sut.UndeclaredForwarding(FromPeer(peer, "X-Forwarded-For")));
    }
}

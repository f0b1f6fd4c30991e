using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Routing;

namespace PluginHost.Core.Tests.Routing;

public sealed class InFlightRequestsTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(8);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Sweep_PastTheRequestTimeout_EndsTheRequestWithinOnePeriod()
    {
        using var running = new InFlightRequests();
        var context = new DefaultHttpContext();
        using var request = InFlightRequest.Start(context, "/slow", RequestTimeout, _clock);
        running.Add(request);

        _clock.Advance(RequestTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(RequestEnd.None, request.EndedBy);
        Assert.False(context.RequestAborted.IsCancellationRequested);

        // The sweep runs every eighth of the timeout: at most one period after the deadline.
        _clock.Advance(RequestTimeout / 8);
        Assert.Equal(RequestEnd.TimedOut, request.EndedBy);
        Assert.True(context.RequestAborted.IsCancellationRequested);
    }

    [Fact]
    public void Sweep_NoRequestTimeout_NeverEndsTheRequest()
    {
        using var running = new InFlightRequests();
        using var request = InFlightRequest.Start(new DefaultHttpContext(), "/slow", Timeout.InfiniteTimeSpan, _clock);
        running.Add(request);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(RequestEnd.None, request.EndedBy);
    }

    [Fact]
    public void Dispose_StopsTheSweep()
    {
        var running = new InFlightRequests();
        using var request = InFlightRequest.Start(new DefaultHttpContext(), "/slow", RequestTimeout, _clock);
        running.Add(request);

        running.Dispose();
        _clock.Advance(RequestTimeout * 2);

        Assert.Equal(RequestEnd.None, request.EndedBy);
    }
}

using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Tests.Telemetry;

public sealed class RequestTelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly CollectingLogger<RequestTelemetry> _logger = new();
    private readonly RequestTelemetry _sut;

    public RequestTelemetryTests()
    {
        var metrics = new PluginHostMetrics(_services.GetRequiredService<IMeterFactory>(), new CurrentGeneration(),
            new UnloadTracker(_time, NullLogger<UnloadTracker>.Instance, TimeSpan.FromSeconds(1)), new LogBuffers());
        _sut = new RequestTelemetry(metrics, new HostConfig { SourcePath = "/srv/config.yaml" }, _time, _logger);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Complete_ServedByAnApp_RequestCompletedWithVersionAndGeneration()
    {
        var started = _sut.Start();
        _time.Advance(TimeSpan.FromMilliseconds(12.5));

        _sut.Complete(Request("GET", 200), started, "/api/v1/version", "ReportingApi", "v1.2.0", 3);

        var logged = Assert.Single(_logger.Entries);
        Assert.Equal(new EventId(70, "RequestCompleted"), logged.EventId);
        Assert.Equal("HTTP GET /api/v1/version responded 200 in 12.5 ms (ReportingApi v1.2.0 generation 3) for -", logged.Message);
        Assert.Equal("v1.2.0", logged.Properties["Version"]);
        Assert.Equal(3L, logged.Properties["Generation"]);
    }

    [Theory]
    [InlineData(PluginHostMetrics.AdminApp, 200)]
    [InlineData(PluginHostMetrics.NoApp, 404)]
    public void Complete_AnsweredByTheHost_HostRequestCompletedWithoutVersionOrGeneration(string app, int status)
    {
        var started = _sut.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3));

        _sut.Complete(Request("POST", status), started, "/_pluginhost/reload", app);

        var logged = Assert.Single(_logger.Entries);
        Assert.Equal(new EventId(71, "HostRequestCompleted"), logged.EventId);
        Assert.Equal($"HTTP POST /_pluginhost/reload responded {status} in 3.0 ms {app} for -", logged.Message);
        Assert.DoesNotContain("null", logged.Message, StringComparison.Ordinal);
        Assert.Equal("POST", logged.Properties["RequestMethod"]);
        Assert.Equal("/_pluginhost/reload", logged.Properties["RequestPath"]);
        Assert.Equal(status, logged.Properties["StatusCode"]);
        Assert.Equal(3.0, logged.Properties["Elapsed"]);
        Assert.Equal(app, logged.Properties["App"]);
        Assert.False(logged.Properties.ContainsKey("Version"));
        Assert.False(logged.Properties.ContainsKey("Generation"));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    public void Complete_ClientAddress_LoggedAsClientAddress(string remote, string logged)
    {
        var context = Request("GET", 200);
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remote);

        _sut.Complete(context, _sut.Start(), "/", "WebApp", "v1", 1);

        Assert.Equal(logged, Assert.Single(_logger.Entries).Properties["ClientAddress"]);
    }

    [Fact]
    public void Complete_Aborted_RequestAbortedWithClientAddress()
    {
        var context = Request("GET", 200);
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.7");

        _sut.Complete(context, _sut.Start(), "/events", "WebApp", "v1", 1, aborted: true);

        var logged = Assert.Single(_logger.Entries);
        Assert.Equal(new EventId(72, "RequestAborted"), logged.EventId);
        Assert.Equal("HTTP GET /events aborted before any response after 0.0 ms (WebApp v1 generation 1) for 203.0.113.7", logged.Message);
    }

    private static DefaultHttpContext Request(string method, int status)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.StatusCode = status;
        return context;
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;
using PluginHost.Core.Loading;
using PluginHost.Core.Telemetry;
using PluginHost.Serving;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace PluginHost.Core.Tests.Telemetry;

public sealed class AppTagTests
{
    private readonly Collecting _sink = new();

    [Fact]
    public void AnAppGenerationsLogger_TagsItsEvents()
    {
        using var diagnostics = new DiagnosticListener("test");
        var services = new HostServices(Substitute.For<ILoggerFactory>(), diagnostics, "Production", Logger());
        var context = new PluginContext("Shop", "v2", 7, "/tmp", "/shop", new ConfigurationBuilder().Build());

        services.LoggerFactoryFor(context).CreateLogger("App.Controller").LogInformation("Sold {Count}", 3);

        Assert.Equal("Shop v2 #7: ", Tag(Assert.Single(_sink.Events)));
    }

    [Fact]
    public void AnAppGenerationsLogger_LeavesUntagged_AnEventWhoseMessageNamesTheApp()
    {
        using var diagnostics = new DiagnosticListener("test");
        var services = new HostServices(Substitute.For<ILoggerFactory>(), diagnostics, "Production", Logger());
        var context = new PluginContext("Shop", "v2", 7, "/tmp", "/shop", new ConfigurationBuilder().Build());

        // As the host relays a worker's line: the message names the app already.
        services.LoggerFactoryFor(context).CreateLogger("Worker").LogInformation("{App} worker {WorkerPid}: {Line}", "Shop", 42, "ready");

        Assert.False(Assert.Single(_sink.Events).Properties.ContainsKey(AppTag.PropertyName));
    }

    [Fact]
    public void TheEnricher_TagsAHostEventThatCarriesTheApp()
    {
        Logger().ForContext("App", "Shop").ForContext("Version", "v1").ForContext("Generation", 3L).Information("Warming up");

        Assert.Equal("Shop v1 #3: ", Tag(Assert.Single(_sink.Events)));
    }

    [Fact]
    public void TheEnricher_LeavesUntagged_AnEventWhoseMessageNamesTheApp_AndAHostEvent()
    {
        var logger = Logger();
        logger.ForContext("Version", "v1").ForContext("Generation", 3L).Information("Loaded {App}", "Shop");
        logger.Information("Listening");

        Assert.All(_sink.Events, e => Assert.False(e.Properties.ContainsKey(AppTag.PropertyName)));
    }

    [Fact]
    public void TheEnricher_KeepsATagGivenUpFront()
    {
        Logger().ForContext(AppTag.PropertyName, "given: ").ForContext("App", "Shop").ForContext("Generation", 3L).Information("Sold");

        Assert.Equal("given: ", Tag(Assert.Single(_sink.Events)));
    }

    private Serilog.ILogger Logger() => new LoggerConfiguration().Enrich.With<AppTagEnricher>().WriteTo.Sink(_sink).CreateLogger();

    private static string? Tag(LogEvent e) => (e.Properties.GetValueOrDefault(AppTag.PropertyName) as ScalarValue)?.Value as string;

    private sealed class Collecting : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}

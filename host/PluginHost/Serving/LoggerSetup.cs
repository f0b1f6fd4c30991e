using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Telemetry;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace PluginHost.Serving;

/// <summary>
/// Serilog from config.yaml's logging section: console always, a rolling file when configured. Each sink sits behind
/// its own bounded buffer (Serilog.Sinks.Async) drained by a background worker, so a request never waits for the console,
/// journald or the disk; an event that finds its sink's buffer full is dropped and counted in <see cref="LogBuffers"/>.
/// Closing the logger (<c>Log.CloseAndFlush</c>) writes out what the buffers still hold.
/// </summary>
public static class LoggerSetup
{
    private const string Template = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {AppTag}{Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:o} [{Level:u3}] {SourceContext} {App} {Version} {Generation}: {Message:lj}{NewLine}{Exception}";

    /// <summary>A worker's console: the level first, which the host reads to log each line at that level.</summary>
    public const string WorkerTemplate = "{Level:u3} {Message:lj}{NewLine}{Exception}";

    /// <summary>A level no event has: a source overridden to it writes nothing, and its loggers report themselves disabled.</summary>
    private const LogEventLevel Off = LogEventLevel.Fatal + 1;

    public static LoggerConfiguration Configure(LoggerConfiguration configuration, LoggingConfig config, LogBuffers buffers, string consoleTemplate = Template)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(buffers);
        var level = Enum.Parse<LogEventLevel>(config.MinimumLevel, ignoreCase: true);
        configuration
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            // Off (above Fatal): ASP.NET Core's hosting opens a log scope for every request (RequestId, RequestPath) whenever
            // its logger is enabled at all, and writes nothing at Warning or above. The host's request log carries its own
            // properties, so the scope was a per-request cost (a scope object and an execution-context change) for nothing.
            .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", Off)
            // The forwarder of process apps logs every request it proxies at Information.
            .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With<AppTagEnricher>()
            // A release that cannot be loaded at start-up stops the host with one line ("Cannot start: …"); the
            // generic host's own "Hosting failed to start" event would repeat it with a stack trace.
            .Filter.ByExcluding(e => e.Exception is GenerationBuildException || (e.Exception is IOException io && IsListenFailure(io)));
        WriteToBuffered(configuration.WriteTo, "console", config.BufferSize, buffers, (sink, moreQueued) =>
        {
            // Redirected (journald, a pipe, a file): written in bursts. A terminal keeps Serilog's console sink and its colours.
            if (Console.IsOutputRedirected)
            {
                sink.Sink(new BurstConsoleSink(new MessageTemplateTextFormatter(consoleTemplate), moreQueued, Console.OpenStandardOutput()));
            }
            else
            {
                sink.Console(outputTemplate: consoleTemplate);
            }
        });
        if (config.File is { } file)
        {
            WriteToBuffered(configuration.WriteTo, "file", config.BufferSize, buffers,
                sink => sink.File(file, outputTemplate: FileTemplate, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14));
        }

        return configuration;
    }

    /// <summary>
    /// Puts the sink <paramref name="configure"/> adds behind a buffer of <paramref name="bufferSize"/> events that never
    /// blocks the caller (full: the event is dropped and counted), and adds the buffer to <paramref name="buffers"/> as
    /// <paramref name="name"/>.
    /// </summary>
    public static LoggerConfiguration WriteToBuffered(LoggerSinkConfiguration writeTo, string name, int bufferSize, LogBuffers buffers,
        Action<LoggerSinkConfiguration> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return WriteToBuffered(writeTo, name, bufferSize, buffers, (sink, _) => configure(sink));
    }

    /// <param name="configure">Adds the sink, given whether the buffer holds more events (for a sink that writes in bursts).</param>
    public static LoggerConfiguration WriteToBuffered(LoggerSinkConfiguration writeTo, string name, int bufferSize, LogBuffers buffers,
        Action<LoggerSinkConfiguration, Func<bool>> configure)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(configure);
        var monitor = new AsyncSinkMonitor(name);
        buffers.Add(monitor);
        return writeTo.Async(
            inner => inner.Sink(LoggerSinkConfiguration.Wrap(sink => new ReleaseMarker.Filter(sink), sink => configure(sink, () => monitor.HasQueued))),
            bufferSize, blockWhenFull: false, monitor);
    }

    /// <summary>Kestrel could not listen (port in use, address not available, permission denied): one line, not a stack trace.</summary>
    public static bool IsListenFailure(IOException exception) =>
        exception.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal)
        || exception.InnerException is System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.AddressInUseException;
}

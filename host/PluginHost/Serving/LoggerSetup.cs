using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using Serilog;
using Serilog.Events;

namespace PluginHost.Serving;

/// <summary>Serilog from config.yaml's logging section: console always, a rolling file when configured.</summary>
public static class LoggerSetup
{
    private const string Template = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {AppTag}{Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:o} [{Level:u3}] {SourceContext} {App} {Version} {Generation}: {Message:lj}{NewLine}{Exception}";

    public static LoggerConfiguration Configure(LoggerConfiguration configuration, LoggingConfig config)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(config);
        var level = Enum.Parse<LogEventLevel>(config.MinimumLevel, ignoreCase: true);
        configuration
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With<AppTagEnricher>()
            // A release that cannot be loaded at start-up stops the host with one line ("Cannot start: …"); the
            // generic host's own "Hosting failed to start" event would repeat it with a stack trace.
            .Filter.ByExcluding(e => e.Exception is GenerationBuildException || (e.Exception is IOException io && IsListenFailure(io)))
            .WriteTo.Console(outputTemplate: Template);
        if (config.File is { } file)
        {
            configuration.WriteTo.File(file, outputTemplate: FileTemplate, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
        }

        return configuration;
    }

    /// <summary>Kestrel could not listen (port in use, address not available, permission denied): one line, not a stack trace.</summary>
    public static bool IsListenFailure(IOException exception) =>
        exception.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal)
        || exception.InnerException is System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.AddressInUseException;
}

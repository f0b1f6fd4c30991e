using PluginHost.Core.Configuration;
using Serilog;
using Serilog.Events;

namespace PluginHost.Serving;

/// <summary>Serilog from config.yaml's logging section: console always, a rolling file when configured.</summary>
public static class LoggerSetup
{
    private const string Template = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}";
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
            .WriteTo.Console(outputTemplate: Template);
        if (config.File is { } file)
        {
            configuration.WriteTo.File(file, outputTemplate: FileTemplate, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
        }

        return configuration;
    }
}

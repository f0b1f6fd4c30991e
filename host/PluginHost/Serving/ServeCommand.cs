using PluginHost.Core.Certificates;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Telemetry;
using Serilog;

namespace PluginHost.Serving;

/// <summary>The 'serve' verb: runs the host until SIGTERM/SIGINT.</summary>
public static class ServeCommand
{
    /// <summary>Runs the host; returns the process exit code (0 after a clean stop, 1 when it cannot start).</summary>
    public static async Task<int> RunAsync(string configPath, IReadOnlyList<string>? urlsOverride, CancellationToken cancellationToken = default)
    {
        HostConfig config;
        try
        {
            config = ConfigLoader.Load(configPath);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        var logBuffers = new LogBuffers();
        Log.Logger = LoggerSetup.Configure(new LoggerConfiguration(), config.Logging, logBuffers).CreateLogger();
        try
        {
            await using var app = HostApplication.Build(config, urlsOverride, Log.Logger, logBuffers: logBuffers);
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (CertificateException ex)
        {
            // One line per certificate problem, naming the key of server.certificate and the file.
            foreach (var error in ex.Errors)
            {
                Log.Fatal("Cannot start: {Error}", error.ToString());
            }

            return 1;
        }
        catch (GenerationBuildException ex)
        {
            Log.Fatal("Cannot start: {Error}", ex.Message);
            return 1;
        }
        catch (IOException ex) when (LoggerSetup.IsListenFailure(ex))
        {
            // Kestrel's own message names the address and the cause ("address already in use"): the operator's to fix.
            Log.Fatal("Cannot start: {Error}", ex.Message);
            return 1;
        }
        catch (Exception ex)
        {
            Log.Fatal(ex, "Host terminated unexpectedly");
            return 2;
        }
        finally
        {
            // After the last line (Stopped: …, Cannot start: …, or the fatal error): the sinks' buffers are written out
            // before the process exits.
            await Log.CloseAndFlushAsync();
        }
    }
}

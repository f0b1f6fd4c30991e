using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Hosting;
using PluginHost.Core.Reloading;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Workers;
using PluginHost.Serving;
using Serilog;

namespace PluginHost.Workers;

/// <summary>
/// The 'worker' verb, started by the host for one generation of a process app: loads the app with the same engine as
/// the host (narrowed by <see cref="WorkerConfig"/>), warms it, serves it on a Unix domain socket, says it is ready on its
/// standard output, and exits on SIGTERM (after its requests and its app have stopped) or when the host is gone.
/// </summary>
public static class WorkerCommand
{
    private static readonly TimeSpan HostGoneGrace = TimeSpan.FromSeconds(5);

    /// <param name="spare">Start the runtime and the engine now, then read the app, release and generation from standard input.</param>
    public static async Task<int> RunAsync(WorkerArguments worker, bool spare, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var key = Environment.GetEnvironmentVariable(WorkerProtocol.KeyEnvironment);
        if (string.IsNullOrEmpty(key))
        {
            await Console.Out.WriteLineAsync($"{WorkerProtocol.FailedPrefix}{WorkerProtocol.KeyEnvironment} is not set; workers are started by the host, not by hand");
            return 1;
        }

        if (spare)
        {
            await SpareWorker.PrepareAsync(worker, key);
            await Console.Out.WriteLineAsync(WorkerProtocol.SpareReadyLine);
            if (SpareWorker.ReadAssignment(worker) is not { } assigned)
            {
                return 0; // The host went away (or stopped) before it needed this spare.
            }

            worker = assigned;
        }

        HostConfig config;
        try
        {
            config = WorkerConfig.For(ConfigLoader.Load(worker.ConfigPath), worker);
        }
        catch (ConfigException ex)
        {
            await Console.Out.WriteLineAsync(WorkerProtocol.FailedPrefix + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }

        var logBuffers = new LogBuffers();
        // The host logs the worker's start and stop itself: the generic host's banner would only repeat it.
        Log.Logger = LoggerSetup.Configure(new LoggerConfiguration(), config.Logging, logBuffers, LoggerSetup.WorkerTemplate)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Warning)
            .CreateLogger();
        try
        {
            await using var app = Build(config, worker, key, logBuffers);
            WatchHost(app.Lifetime);
            await app.StartAsync(cancellationToken);
            await Console.Out.WriteLineAsync(WorkerProtocol.ReadyLine);
            await Console.Out.FlushAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (GenerationBuildException ex)
        {
            await Log.CloseAndFlushAsync();
            await Console.Out.WriteLineAsync(WorkerProtocol.FailedPrefix + ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    internal static WebApplication Build(HostConfig config, WorkerArguments worker, string key, LogBuffers logBuffers)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Path.GetDirectoryName(config.SourcePath),
            EnvironmentName = HostEnvironmentName.Resolve(),
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.AddSingleton(Log.Logger);
        builder.Services.AddSingleton(logBuffers);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = config.Server.ShutdownTimeout);
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
        builder.WebHost.ConfigureKestrel(options => WorkerHttp.Listen(options, worker.SocketPath));
        builder.Services.AddPluginHost(config, new ReloadHooks(ConfigLoader.Load));
        var app = builder.Build();
        var gate = new WorkerGate(key, app.Services.GetRequiredService<CurrentGeneration>());
        app.Use(gate.InvokeAsync);
        app.UsePluginHost();
        return app;
    }

    /// <summary>
    /// The host holds the write end of this process's standard input and never writes: end of input means the host is
    /// gone (however it died). Stop gracefully, and for certain after a few seconds.
    /// </summary>
    private static void WatchHost(IHostApplicationLifetime lifetime)
    {
        var watcher = new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[64];
            try
            {
                while (input.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            Log.Warning("The host is gone (its pipe closed); stopping");
            lifetime.StopApplication();
            Thread.Sleep(HostGoneGrace);
            Environment.Exit(3);
        })
        { IsBackground = true, Name = "host watch" };
        watcher.Start();
    }
}

using PluginHost.Core.Configuration;
using PluginHost.Core.Telemetry;
using Serilog;

namespace PluginHost.Workers;

/// <summary>
/// A worker started ahead of need: most of a new worker's start is its runtime compiling the engine's start-up code, so a
/// spare does that now (it builds, and throws away, the web application of the first process app in config.yaml), then
/// waits for the host to name the app, release and generation it is to serve.
/// </summary>
internal static class SpareWorker
{
    public static async Task PrepareAsync(WorkerArguments worker, string key)
    {
        var previous = Log.Logger;
        try
        {
            var config = ConfigLoader.Load(worker.ConfigPath);
            if (config.Apps.FirstOrDefault(a => a.Isolation == AppIsolation.Process) is not { } app)
            {
                return;
            }

            Log.Logger = new LoggerConfiguration().CreateLogger();
            var rehearsal = WorkerConfig.For(config, worker with { App = app.Name, ReleasePath = Path.GetTempPath() });
            await using var unused = WorkerCommand.Build(rehearsal, worker, key, new LogBuffers());
        }
        catch (Exception ex) when (ex is ConfigException or IOException or InvalidOperationException)
        {
            // Only a rehearsal: whatever fails here fails again, and is reported, when the app is loaded for real.
        }
        finally
        {
            Log.Logger = previous;
        }
    }

    /// <summary>The three lines the host writes (app, release folder, generation); null when its pipe closed first.</summary>
    public static WorkerArguments? ReadAssignment(WorkerArguments worker)
    {
        var app = Console.In.ReadLine();
        var release = Console.In.ReadLine();
        var generation = Console.In.ReadLine();
        return app is null || release is null || !long.TryParse(generation, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? null
            : worker with { App = app, ReleasePath = release, Generation = number };
    }
}

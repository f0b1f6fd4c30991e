using PluginHost.Core.Configuration;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Workers;
using Serilog;

namespace PluginHost.Workers;

/// <summary>
/// A worker started ahead of need, which then waits for the host to name the app, release and generation it is to serve.
/// Meanwhile it rehearses: most of a new worker's start is its runtime running code for the first time (the engine's
/// start-up, loading a plugin, building its container and routes, the first request through Kestrel, routing, minimal
/// APIs and JSON), so a spare runs all of that once with the rehearsal plugin shipped beside the host
/// (<c>rehearsal/Rehearsal/</c>, from host/PluginHost.Rehearsal): served on a socket of its own, asked twice, stopped.
/// Nothing of a real app runs before it is assigned: its Configure and hosted services may have side effects.
/// </summary>
internal static class SpareWorker
{
    private const string RehearsalApp = "Rehearsal";
    private static readonly string RehearsalRelease = Path.Combine(AppContext.BaseDirectory, "rehearsal");

    public static async Task PrepareAsync(WorkerArguments worker, string key)
    {
        var previous = Log.Logger;
        var folder = Path.GetDirectoryName(worker.SocketPath)!;
        var rehearsal = worker with
        {
            App = RehearsalApp,
            ReleasePath = RehearsalRelease,
            SocketPath = Path.Combine(folder, Path.GetFileNameWithoutExtension(worker.SocketPath) + "-rehearsal.sock"),
        };
        var state = Path.Combine(folder, Path.GetFileNameWithoutExtension(rehearsal.SocketPath) + ".state");
        try
        {
            var config = ConfigLoader.Load(worker.ConfigPath);
            if (config.Apps.FirstOrDefault(a => a.Isolation == AppIsolation.Process) is not { } app)
            {
                return;
            }

            Log.Logger = new LoggerConfiguration().CreateLogger();
            var rehearsed = config with { Apps = [AsRehearsal(app)], State = new StateConfig { Root = state } };
            await using var web = WorkerCommand.Build(WorkerConfig.For(rehearsed, rehearsal), rehearsal, key, new LogBuffers());
            if (Directory.Exists(RehearsalRelease))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await ServeOnceAsync(web, rehearsal.SocketPath, key, app.Mount);
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                await Console.Out.WriteLineAsync(FormattableString.Invariant($"DBG Spare worker: rehearsed with {RehearsalRelease} in {elapsed.TotalMilliseconds:0} ms"));
            }
        }
        catch (ConfigException)
        {
            // Reported when the assigned app's config is read.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only a rehearsal: the app's own load is not affected (it only starts cold). The host relays the line.
            var message = ex.Message.ReplaceLineEndings(" ");
            await Console.Out.WriteLineAsync($"WRN Spare worker: the rehearsal with {RehearsalRelease} failed, so the next app starts cold: {ex.GetType().Name}: {message}");
        }
        finally
        {
            Log.Logger = previous;
            CleanUp(rehearsal.SocketPath, state);
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

    /// <summary>The rehearsal plugin in place of <paramref name="app"/>: same mount and limits, none of its settings or files.</summary>
    private static AppConfig AsRehearsal(AppConfig app) => app with
    {
        Name = RehearsalApp,
        Assembly = $"{RehearsalApp}/PluginHost.Rehearsal.dll",
        Kind = null,
        Warmup = ["/"],
        Settings = new Dictionary<string, string?>(),
        Static = null,
        Recycle = null,
        MemoryLimit = null,
    };

    /// <summary>Starts the worker's web application, sends two requests through its socket as the host would, and stops it.</summary>
    private static async Task ServeOnceAsync(WebApplication web, string socketPath, string key, string mount)
    {
        await web.StartAsync();
        try
        {
            using var client = new HttpClient(WorkerHttp.Handler(socketPath, Timeout.InfiniteTimeSpan));
            var prefix = mount == "/" ? "" : mount;
            foreach (var path in new[] { "/", "/items/1" })
            {
                using var response = await client.SendAsync(WorkerHttp.Get($"http://worker{prefix}{path}", key));
                await response.Content.ReadAsByteArrayAsync();
            }
        }
        finally
        {
            await web.StopAsync();
        }
    }

    private static void CleanUp(string socketPath, string state)
    {
        try
        {
            File.Delete(socketPath);
            File.Delete(WorkerConfig.ReleaseLink(socketPath));
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Core.Admin;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Unloading.LeakChains;
using PluginHost.Serving;
using PluginHost.Core.Telemetry;
using Serilog;
using Serilog.Configuration;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>The real host, in this process, on real Kestrel bound to a free loopback port.</summary>
public sealed class HostRunner : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Serilog.Core.Logger _logger;

    private HostRunner(WebApplication app, CollectingSink logs, Serilog.Core.Logger logger, Uri address)
    {
        _app = app;
        _logger = logger;
        Logs = logs;
        Address = address;
        // Over https the host presents the tests' self-signed certificates: trusted here, checked by the tests that care.
        Client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CollectingSink Logs { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    public CurrentGeneration Current => Services.GetRequiredService<CurrentGeneration>();
    public ReloadCoordinator Coordinator => Services.GetRequiredService<ReloadCoordinator>();
    public UnloadTracker Tracker => Services.GetRequiredService<UnloadTracker>();
    public long GenerationNumber => Current.Value?.Number ?? 0;

    /// <param name="useConfigUrls">Listen on config.yaml's server.urls instead of a free port chosen by Kestrel.</param>
    /// <param name="logging">
    /// Where the host's logger writes, given the collecting sink behind <see cref="Logs"/> and the log buffers the host
    /// reports in metrics and status; by default straight into the collecting sink, without buffers.
    /// </param>
    public static async Task<HostRunner> StartAsync(string configPath, ReloadHooks? hooks = null, bool useConfigUrls = false,
        Action<LoggerSinkConfiguration, CollectingSink, LogBuffers>? logging = null)
    {
        var config = ConfigLoader.Load(configPath);
        var sink = new CollectingSink();
        var logBuffers = new LogBuffers();
        var configuration = new LoggerConfiguration().MinimumLevel.Debug().Enrich.FromLogContext();
        (logging ?? ((writeTo, collecting, _) => writeTo.Sink(collecting)))(configuration.WriteTo, sink, logBuffers);
        var logger = configuration.CreateLogger();
        try
        {
            var app = HostApplication.Build(config, useConfigUrls ? null : ["http://127.0.0.1:0"], logger, hooks, logBuffers);
            await app.StartAsync();
            // With admin.urls the server also listens on the admin ports: the client talks to the app port.
            var adminPorts = config.Admin.Urls.Select(AdminPorts.PortOf).ToHashSet();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .First(a => !adminPorts.Contains(new Uri(a).Port));
            return new HostRunner(app, sink, logger, new Uri(address));
        }
        catch
        {
            await logger.DisposeAsync();
            throw;
        }
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await Client.GetFromJsonAsync<JsonElement>(path);

    public async Task<string> VersionServedAsync() =>
        (await GetJsonAsync("/api/v1/version")).GetProperty("version").GetString()!;

    /// <summary>Waits until a generation newer than <paramref name="after"/> serves.</summary>
    public Task WaitForGenerationAsync(long after, string what, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => GenerationNumber > after && Coordinator.LastResult?.Generation > after, what, timeout);

    public Task WaitForReloadResultAsync(int reloadsBefore, string what) =>
        Eventually.WaitAsync(() => Coordinator.History.Count > reloadsBefore, what);

    /// <summary>
    /// Forces collections until every retired context is gone (and the host's unload tracker has counted them) or the
    /// bound passes; returns those still alive.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public async Task<IReadOnlyList<RetiredApp>> CollectRetiredAsync(TimeSpan? bound = null)
    {
        await Coordinator.WhenRetiredAsync();
        // Generous: a passing test returns at once, and a loaded CI machine has taken more than 10 s to collect a generation.
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var alive = Tracker.Alive.Where(r => r.Context.IsAlive).ToList();
            if (alive.Count == 0)
            {
                // The host's own verification runs on its thread: let it count them too, so status and metrics agree.
                await Tracker.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(10));
                return alive;
            }

            if (DateTime.UtcNow > deadline)
            {
                // Give the host's heap analysis a moment to say what holds them, so a failing test's log names the culprit
                // (a later leak waits for the analyses' minimum interval: then only the first one is named).
                var explained = Services.GetRequiredService<LeakExplainer>().WhenIdleAsync();
                await Task.WhenAny(explained, Task.Delay(TimeSpan.FromSeconds(60)));
                return alive;
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Last, as the host's Program does: writes out what buffered sinks still hold and ends their workers.
        await _logger.DisposeAsync();
    }
}

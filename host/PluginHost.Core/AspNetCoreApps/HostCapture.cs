using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// What the host changes in the web host an unmodified app builds, and the host once built: its server is the
/// in-process one, its lifetime the generation's, its logs go to the host's Serilog, and the host's services
/// (data protection keyed by app, in the state folder) come first so that the app's own registrations still win.
/// </summary>
internal sealed class HostCapture(InProcessServer server, Action<IServiceCollection> hostServices, ILoggerProvider logging)
{
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private readonly TaskCompletionSource<IHost> _built = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The app's host, once its Main has built it.</summary>
    public Task<IHost> Built => _built.Task;

    public void OnBuilding(IHostBuilder builder)
    {
        // Applied after the app's own configuration (Build runs them last): these registrations win.
        builder.ConfigureServices(services =>
        {
            InsertFirst(services, hostServices);
            services.AddSingleton<IServer>(server);
            services.AddSingleton<IHostLifetime, GenerationHostLifetime>();
        });
        builder.ConfigureLogging(builder =>
        {
            builder.ClearProviders();
            builder.AddProvider(logging);
            // The host logs each request itself (with App, Version and Generation). The app's own hosting layer would
            // log it a second time and, for that, open a logging scope and start an Activity per request.
            builder.AddFilter<LoggerFactoryProvider>(HostingDiagnosticsCategory, LogLevel.None);
        });
    }

    public void OnBuilt(IHost host) => _built.TrySetResult(host);

    private static void InsertFirst(IServiceCollection services, Action<IServiceCollection> add)
    {
        var first = new ServiceCollection();
        add(first);
        for (var index = first.Count - 1; index >= 0; index--)
        {
            services.Insert(0, first[index]);
        }
    }
}

/// <summary>Hands the app's loggers to a logger factory of the host (App, Version and Generation on every event).</summary>
internal sealed class LoggerFactoryProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}

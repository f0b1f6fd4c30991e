using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// The server an unmodified app's web host gets instead of Kestrel: it opens no socket, it captures the app's
/// <see cref="IHttpApplication{TContext}"/> when the host starts, and the host's dispatcher hands it each request.
/// </summary>
internal sealed class InProcessServer : IServer
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IRequestInvoker? _invoker;

    public InProcessServer()
    {
        // app.Urls and app.Run(url) write here; the app is served at its mount, so the addresses are not used.
        Features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>Completes when the app's web host started this server.</summary>
    public Task Started => _started.Task;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _invoker = new RequestInvoker<TContext>(application);
        _started.TrySetResult();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    /// <summary>Runs one request of the host through the app's own request pipeline.</summary>
    public Task HandleAsync(HttpContext context) =>
        (_invoker ?? throw new InvalidOperationException("the app's web host has not started")).InvokeAsync(context);

    private interface IRequestInvoker
    {
        Task InvokeAsync(HttpContext context);
    }

    /// <summary>
    /// What a server does with each request: the app builds its own HttpContext over the connection's features. They
    /// are layered (a FeatureCollection over the host's), so what the app sets (its endpoint, its request services)
    /// stays its own while request, response, connection and body come from Kestrel; PathBase is the mount.
    /// </summary>
    private sealed class RequestInvoker<TContext>(IHttpApplication<TContext> application) : IRequestInvoker
        where TContext : notnull
    {
        public async Task InvokeAsync(HttpContext context)
        {
            var appContext = application.CreateContext(new FeatureCollection(context.Features));
            try
            {
                await application.ProcessRequestAsync(appContext);
            }
            catch (Exception ex)
            {
                application.DisposeContext(appContext, ex);
                throw;
            }

            application.DisposeContext(appContext, null);
        }
    }
}

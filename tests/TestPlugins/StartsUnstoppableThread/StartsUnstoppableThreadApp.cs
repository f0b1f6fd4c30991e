using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace StartsUnstoppableThread;

/// <summary>
/// Starts a background thread that polls for ever and observes no stop signal: while it runs the app's code, the
/// generation cannot be collected, whatever the host cleans up. The host must report it as leaked, and name the thread.
/// </summary>
public sealed class StartsUnstoppableThreadApp : IPluginApp
{
    private long _polls;

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        var poller = new Thread(Poll) { IsBackground = true, Name = "unstoppable poller" };
        poller.Start();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "starts-unstoppable-thread");

    private void Poll()
    {
        while (true)
        {
            Interlocked.Increment(ref _polls);
            Thread.Sleep(200);
        }
    }
}

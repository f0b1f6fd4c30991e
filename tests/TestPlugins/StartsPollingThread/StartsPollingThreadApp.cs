using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace StartsPollingThread;

/// <summary>
/// Starts a background thread that polls and observes no stop signal, for <c>runFor</c> (a setting; for ever without it).
/// While it runs the app's code the generation cannot be collected, whatever the host cleans up: the host must report it as
/// leaked, name the thread, and (with runFor) notice when it finally goes.
/// </summary>
public sealed class StartsPollingThreadApp : IPluginApp
{
    private long _polls;

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        var runFor = context.Settings["runFor"] is { } text ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : Timeout.InfiniteTimeSpan;
        var poller = new Thread(() => Poll(runFor)) { IsBackground = true, Name = "polling thread" };
        poller.Start();
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "starts-polling-thread");

    private void Poll(TimeSpan runFor)
    {
        var until = runFor == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + runFor;
        while (DateTime.UtcNow < until)
        {
            Interlocked.Increment(ref _polls);
            Thread.Sleep(100);
        }
    }
}

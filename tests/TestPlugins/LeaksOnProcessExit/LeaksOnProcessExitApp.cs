using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace LeaksOnProcessExit;

/// <summary>
/// Subscribes an instance method to <see cref="AppDomain.ProcessExit"/> and never unsubscribes:
/// the static event then roots this object, its type and so its load context for ever.
/// The host's leak detection must report this generation as still alive after it retires.
/// </summary>
public sealed class LeaksOnProcessExitApp : IPluginApp
{
    private int _exitCount;

    public void ConfigureServices(IServiceCollection services, PluginContext context)
        => AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

    public void Configure(IApplicationBuilder app, PluginContext context)
        => app.UsePluginInfo(context, "leaks-on-process-exit");

    private void OnProcessExit(object? sender, EventArgs e) => Interlocked.Increment(ref _exitCount);
}

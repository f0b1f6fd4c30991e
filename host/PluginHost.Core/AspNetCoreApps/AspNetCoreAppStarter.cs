using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PluginHost.Abstractions;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>What starting one generation of an unmodified app needs.</summary>
/// <param name="HostServices">Registered in the app's container before its own services (data protection in the state folder).</param>
internal sealed record AspNetCoreAppStart(
    AppConfig Config, LoadedPlugin Plugin, PluginContext Context, string AssemblyPath, ILoggerFactory LoggerFactory, string EnvironmentName,
    Action<IServiceCollection> HostServices);

/// <summary>
/// Starts one generation of an unmodified ASP.NET Core app the way its own process would: its Main runs (in its
/// collectible context) with the usual host arguments, builds its web host as it always does, and the host swaps
/// in the in-process server before the host is built. Ready once the app's host has started (its hosted services
/// too, ApplicationStarted fired); what goes wrong before is one line naming the cause.
/// </summary>
internal static class AspNetCoreAppStarter
{
    public static async Task<AppParts> StartAsync(AspNetCoreAppStart start, CancellationToken cancellationToken)
    {
        var server = new InProcessServer();
        var capture = new HostCapture(server, start.HostServices, new LoggerFactoryProvider(start.LoggerFactory));
        var entryPoint = EntryPoint.Start(start.Config.Name, start.Plugin.MainAssembly, Arguments(start), start.Plugin.LoadContext, capture);
        var owned = new StrongBox<bool>();
        try
        {
            return await WaitStartedAsync(start, server, capture, entryPoint, owned, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or PluginLoadException && !owned.Value)
        {
            // Given up before its host was built (another app of the generation failed, the host stops, the warm-up
            // timeout passed): its Main may still build and start one, which must then be stopped, never served.
            _ = StopWhenBuiltAsync(capture, entryPoint, start.Config.StopTimeout);
            throw;
        }
    }

    /// <param name="owned">Set once the host was built: from then on, this method stops it on every failure.</param>
    private static async Task<AppParts> WaitStartedAsync(AspNetCoreAppStart start, InProcessServer server, HostCapture capture, EntryPoint entryPoint,
        StrongBox<bool> owned, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(start.Config.WarmupTimeout);
        var abandon = Task.Delay(Timeout.Infinite, deadline.Token);

        if (await Task.WhenAny(capture.Built, entryPoint.Exited, abandon) != capture.Built)
        {
            throw Failure(start, await ExitedOrTimedOut(entryPoint, abandon, cancellationToken, "returned without building a web host"));
        }

        var host = await capture.Built;
        owned.Value = true;
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var lifecycle = new AppHostLifecycle(host, lifetime, entryPoint, start.Config.Name, start.LoggerFactory.CreateLogger<AppHostLifecycle>());
        var started = Completion(lifetime.ApplicationStarted);
        string? problem = null;
        if (await Task.WhenAny(started, entryPoint.Exited, abandon) != started)
        {
            problem = entryPoint.Exited.IsCompleted || !cancellationToken.IsCancellationRequested
                ? await ExitedOrTimedOut(entryPoint, abandon, CancellationToken.None, "returned without running its host (app.Run())")
                : null;
        }
        else if (!server.Started.IsCompleted)
        {
            problem = "started a host without a web server (no WebApplication or ConfigureWebHostDefaults)";
        }

        if (problem is not null || cancellationToken.IsCancellationRequested)
        {
            await StopAsync(lifecycle, start.Config.StopTimeout);
            cancellationToken.ThrowIfCancellationRequested();
            throw Failure(start, problem!);
        }

        lifecycle.WatchMain();
        return new AppParts(lifecycle, lifecycle, server.HandleAsync);
    }

    /// <summary>A start given up before its host was built: once (if ever) it is, it is stopped and disposed, never served.</summary>
    private static async Task StopWhenBuiltAsync(HostCapture capture, EntryPoint entryPoint, TimeSpan stopTimeout)
    {
        var host = await capture.Built;
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await StopAsync(new AppHostLifecycle(host, lifetime, entryPoint, "", NullLogger.Instance), stopTimeout);
    }

    private static async Task StopAsync(AppHostLifecycle lifecycle, TimeSpan stopTimeout)
    {
        await lifecycle.StopAsync(stopTimeout, TimeProvider.System);
        await lifecycle.DisposeAsync();
    }

    /// <summary>As WebApplicationFactory does: the app's name (MVC finds its controllers by it), its folder, the host's environment; config.yaml's settings last, on top of the app's appsettings.</summary>
    private static string[] Arguments(AspNetCoreAppStart start)
    {
        var arguments = new List<string>
        {
            $"--{HostDefaults.ApplicationKey}={start.Plugin.MainAssembly.GetName().Name}",
            $"--{HostDefaults.ContentRootKey}={start.Context.ContentRoot}",
            $"--{HostDefaults.EnvironmentKey}={start.EnvironmentName}",
        };
        arguments.AddRange(start.Config.Settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}"));
        return [.. arguments];
    }

    private static async Task<string> ExitedOrTimedOut(EntryPoint entryPoint, Task abandon, CancellationToken cancellationToken, string returned)
    {
        if (entryPoint.Exited.IsCompleted)
        {
            return await entryPoint.Exited ?? $"its Main {returned}";
        }

        cancellationToken.ThrowIfCancellationRequested();
        return abandon.IsCanceled ? "its Main did not start a web host within apps[].warmupTimeout" : "its Main did not start a web host";
    }

    private static Task Completion(CancellationToken token)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), completion);
        return completion.Task;
    }

    private static PluginLoadException Failure(AspNetCoreAppStart start, string cause) => new(start.Config.Name, start.AssemblyPath, cause);
}

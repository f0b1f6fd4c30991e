using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace PluginHost.Core.Loading;

/// <summary>
/// Readies an app before any real traffic reaches it: starts its hosted services, runs its configured warm-up requests
/// in-process through its pipeline, then its readiness check. Collectible assemblies get no ReadyToRun code, so this is
/// where the JIT runs. All of it runs as the app's own code (contextual reflection in its context).
/// </summary>
public static class AppWarmup
{
    /// <summary>
    /// Each warm-up path is requested twice. After one pass the first real request after the swap still took 1.4–2.0 ms,
    /// after two 0.3–0.4 ms, like any later one (bench section 11): the first call leaves work that the second finishes,
    /// and without the second pass the first users of a new generation pay for it.
    /// </summary>
    private const int Passes = 2;

    /// <summary>Runs the warm-up; one that does not finish within the app's <c>warmupTimeout</c> fails the load.</summary>
    /// <remarks>
    /// The app is asked to stop through the cancellation token; one that ignores it is left behind (and, if it never
    /// finishes, shows up as a leaked generation rather than blocking every later reload).
    /// </remarks>
    public static async Task RunAsync(AppInstance app, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var timeout = app.Config.WarmupTimeout;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await RunAsync(app, bounded.Token).WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is TimeoutException || bounded.IsCancellationRequested))
        {
            throw new PluginLoadException(app.Name, AssemblyFile(app),
                $"warm-up did not finish within {timeout.TotalSeconds:0.###} s (warmupTimeout)");
        }
        finally
        {
            // The wait may end on the caller's token before the link has passed it on, and a disposed source no longer
            // cancels: tell a warm-up still running to stop now, or its pending work keeps the app's context alive.
            await bounded.CancelAsync();
        }
    }

    private static Task RunAsync(AppInstance app, CancellationToken cancellationToken) =>
        app.RunAsAppAsync(() => StartThenWarmAsync(app, cancellationToken));

    private static async Task StartThenWarmAsync(AppInstance app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        for (var pass = 0; pass < Passes; pass++)
        {
            foreach (var path in app.Config.Warmup)
            {
                var status = await SendAsync(app, path, cancellationToken);
                if (status is < 200 or >= 400)
                {
                    throw new PluginLoadException(app.Name, AssemblyFile(app), $"warm-up request GET {path} answered {status}");
                }
            }
        }

        await CheckReadyAsync(app, cancellationToken);
    }

    private static async Task<int> SendAsync(AppInstance app, string path, CancellationToken cancellationToken)
    {
        var (pathPart, query) = SplitQuery(path);
        await using var scope = app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.PathBase = app.Config.Mount == "/" ? PathString.Empty : new PathString(app.Config.Mount);
        context.Request.Path = new PathString(pathPart);
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = Stream.Null;
        try
        {
            await app.Pipeline(context);
        }
        catch (Exception ex)
        {
            StopIfCancelled(cancellationToken);
            throw new PluginLoadException(app.Name, AssemblyFile(app),
                $"warm-up request GET {path} threw {ex.GetType().Name}: {PluginAssemblyLoader.FirstLine(ex.Message)}");
        }

        return context.Response.StatusCode;
    }

    private static async Task CheckReadyAsync(AppInstance app, CancellationToken cancellationToken)
    {
        bool ready;
        try
        {
            ready = await app.IsReadyAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            StopIfCancelled(cancellationToken);
            throw new PluginLoadException(app.Name, AssemblyFile(app),
                $"{nameof(IPluginApp.IsReadyAsync)} threw {ex.GetType().Name}: {PluginAssemblyLoader.FirstLine(ex.Message)}");
        }

        if (!ready)
        {
            throw new PluginLoadException(app.Name, AssemblyFile(app), $"{nameof(IPluginApp.IsReadyAsync)} returned false");
        }
    }

    /// <summary>
    /// A cancelled warm-up (timeout, another app's failure, shutdown) is a cancellation, not the app's fault. The
    /// app's own exception is never rethrown: its stack trace references the app's code and would keep the context alive.
    /// </summary>
    private static void StopIfCancelled(CancellationToken cancellationToken) =>
        cancellationToken.ThrowIfCancellationRequested();

    private static string AssemblyFile(AppInstance app) => app.AssemblyPath;

    private static (string Path, string Query) SplitQuery(string path)
    {
        var q = path.IndexOf('?');
        return q < 0 ? (path, "") : (path[..q], path[q..]);
    }
}

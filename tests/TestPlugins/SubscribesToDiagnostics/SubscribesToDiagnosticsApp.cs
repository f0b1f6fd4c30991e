using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace SubscribesToDiagnostics;

/// <summary>
/// Counts the requests the host reports through its "Microsoft.AspNetCore" DiagnosticListener, subscribed the way the
/// DiagnosticListener guide does (an observer of AllListeners that subscribes to the listener it wants), and keeps the
/// subscriptions for ever: a static registry then holds the app. The host's unload hygiene must dispose them.
/// </summary>
public sealed class SubscribesToDiagnosticsApp : IPluginApp
{
    private readonly RequestCounter _counter = new();

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(_counter);
        DiagnosticListener.AllListeners.Subscribe(new ListenerWatcher(_counter));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "subscribes-to-diagnostics");
            endpoints.MapGet("/seen", (HttpContext http) =>
                http.Response.WriteAsync(http.RequestServices.GetRequiredService<RequestCounter>().Seen.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }
}

/// <summary>How many request events the app has seen.</summary>
public sealed class RequestCounter
{
    private long _seen;

    public long Seen => Interlocked.Read(ref _seen);

    public void Count() => Interlocked.Increment(ref _seen);
}

/// <summary>Subscribes to the ASP.NET Core listener whenever it appears.</summary>
internal sealed class ListenerWatcher(RequestCounter counter) : IObserver<DiagnosticListener>
{
    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.AspNetCore")
        {
            listener.Subscribe(new RequestEvents(counter));
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}

/// <summary>Counts each request that starts.</summary>
internal sealed class RequestEvents(RequestCounter counter) : IObserver<KeyValuePair<string, object?>>
{
    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == "Microsoft.AspNetCore.Hosting.HttpRequestIn.Start")
        {
            counter.Count();
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}

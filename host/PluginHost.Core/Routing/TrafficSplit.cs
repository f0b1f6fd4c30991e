using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using PluginHost.Core.Generations;

namespace PluginHost.Core.Routing;

/// <summary>
/// Which generation a request enters while a canary runs. Without a canary the dispatcher reads <see cref="Active"/> (one
/// volatile read) and enters the current generation as always. Only the reload coordinator starts, replaces and ends it.
/// </summary>
public sealed class TrafficSplit
{
    private CanaryRoute? _route;

    public CanaryRoute? Active => Volatile.Read(ref _route);

    /// <summary>Routes by <paramref name="route"/> from now on; returns the route it replaced.</summary>
    public CanaryRoute? Start(CanaryRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Interlocked.Exchange(ref _route, route);
    }

    /// <summary>Ends the canary when <paramref name="route"/> (any, when null) still routes; returns the route ended, if any.</summary>
    public CanaryRoute? End(CanaryRoute? route = null)
    {
        if (route is null)
        {
            return Interlocked.Exchange(ref _route, null);
        }

        return ReferenceEquals(Interlocked.CompareExchange(ref _route, null, route), route) ? route : null;
    }

    /// <summary>
    /// Enters the generation this request goes to: the canary's, or the current one. A canary generation retired meanwhile
    /// (aborted, finished) sends the request to the current one. Sets the cookie for a client rolled for the first time.
    /// </summary>
    public static Generation? Enter(HttpContext context, CanaryRoute route, CurrentGeneration current, out bool onCanary)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(current);
        var choice = route.Rules.Choose(context.Request);
        onCanary = CanaryRules.IsCanary(choice) && route.Generation.TryEnter();
        if (CanaryRules.SetsCookie(choice))
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, onCanary ? route.CanarySetCookie : route.StableSetCookie);
        }

        return onCanary ? route.Generation : current.Enter();
    }
}

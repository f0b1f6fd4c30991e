using Microsoft.AspNetCore.Http;

namespace PluginHost.Core.Routing;

/// <summary>A number from 0 (inclusive) to 100 (exclusive), uniformly: the roll that puts a new client on the canary.</summary>
public interface IShareRoll
{
    double Next();
}

/// <summary>The system's random roll.</summary>
public sealed class RandomShareRoll : IShareRoll
{
    public double Next() => Random.Shared.NextDouble() * 100;
}

/// <summary>How a request was put on its side of a canary.</summary>
public enum CanaryChoice
{
    /// <summary>It carries the canary header (and value): always the canary, no cookie set.</summary>
    Header,
    /// <summary>Its cookie names this canary's version and the canary.</summary>
    CookieCanary,
    /// <summary>Its cookie names this canary's version and the stable release.</summary>
    CookieStable,
    /// <summary>A new client (no cookie for this canary) rolled onto the canary: the cookie is set.</summary>
    RolledCanary,
    /// <summary>A new client rolled onto the stable release: the cookie is set.</summary>
    RolledStable,
}

/// <summary>Decides the side of a canary for one request: the header first, then the client's cookie, then a roll against the share.</summary>
public sealed class CanaryRules(CanaryTarget target, IShareRoll roll)
{
    private readonly string _canaryCookie = CanaryCookie.Value(target.Version, onCanary: true);
    private readonly string _stableCookie = CanaryCookie.Value(target.Version, onCanary: false);

    public CanaryChoice Choose(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (target.Header is { } header && request.Headers.TryGetValue(header.Name, out var values)
            && (header.Value is null || values.Contains(header.Value)))
        {
            return CanaryChoice.Header;
        }

        if (request.Cookies.TryGetValue(CanaryCookie.Name, out var cookie))
        {
            if (cookie == _canaryCookie)
            {
                return CanaryChoice.CookieCanary;
            }

            if (cookie == _stableCookie)
            {
                return CanaryChoice.CookieStable;
            }
        }

        return roll.Next() < target.Share ? CanaryChoice.RolledCanary : CanaryChoice.RolledStable;
    }

    public static bool IsCanary(CanaryChoice choice) => choice is CanaryChoice.Header or CanaryChoice.CookieCanary or CanaryChoice.RolledCanary;

    public static bool SetsCookie(CanaryChoice choice) => choice is CanaryChoice.RolledCanary or CanaryChoice.RolledStable;
}

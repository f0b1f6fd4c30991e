using System.Runtime.CompilerServices;
using PluginHost.Core.Generations;

namespace PluginHost.Core.Routing;

/// <summary>
/// A running canary: the generation that serves it, who gets it (<see cref="Rules"/>), its traffic and its automatic abort.
/// Replaced whole when the canary is rebuilt (a reload); the traffic counts carry over.
/// </summary>
public sealed class CanaryRoute
{
    private readonly Action<CanaryRoute, string> _tripped;
    private readonly StrongBox<int> _trippedOnce;

    public CanaryRoute(Generation generation, CanaryTarget target, CanaryGuard guard, IShareRoll roll, Action<CanaryRoute, string> tripped)
        : this(generation, target, guard, new CanaryRules(target, roll), new CanaryStats(), tripped, new StrongBox<int>())
    {
    }

    private CanaryRoute(Generation generation, CanaryTarget target, CanaryGuard guard, CanaryRules rules, CanaryStats stats,
        Action<CanaryRoute, string> tripped, StrongBox<int> trippedOnce)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(target);
        Generation = generation;
        Target = target;
        Guard = guard;
        Rules = rules;
        Stats = stats;
        _tripped = tripped;
        _trippedOnce = trippedOnce;
        CanarySetCookie = CanaryCookie.SetCookie(target.Version, onCanary: true);
        StableSetCookie = CanaryCookie.SetCookie(target.Version, onCanary: false);
    }

    public Generation Generation { get; }
    public CanaryTarget Target { get; }
    public CanaryGuard Guard { get; }
    public CanaryRules Rules { get; }
    public CanaryStats Stats { get; }
    public string CanarySetCookie { get; }
    public string StableSetCookie { get; }

    /// <summary>The same canary served by a rebuilt generation: same target, rules and counts.</summary>
    public CanaryRoute WithGeneration(Generation rebuilt) => new(rebuilt, Target, Guard, Rules, Stats, _tripped, _trippedOnce);

    /// <summary>The same generation with another share or header (counts kept; the cookies stay valid: same version).</summary>
    public CanaryRoute WithTarget(CanaryTarget target, IShareRoll roll) => new(Generation, target, Guard, new CanaryRules(target, roll), Stats, _tripped, _trippedOnce);

    /// <summary>Counts one answered request; the first time the guard's verdict is "abort", tells the owner (once).</summary>
    public void Record(bool onCanary, int statusCode, TimeSpan elapsed)
    {
        Stats.Side(onCanary).Record(statusCode, elapsed);
        if (onCanary && Guard.MaxErrorRate is not null && Guard.Verdict(Stats.Canary) is { } reason
            && Interlocked.Exchange(ref _trippedOnce.Value, 1) == 0)
        {
            _tripped(this, reason);
        }
    }
}

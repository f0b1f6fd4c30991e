using PluginHost.Core.Generations;

namespace PluginHost.Core.Routing;

/// <summary>
/// A running canary: the generation that serves it, who gets it (<see cref="Rules"/>) and its <see cref="Tally"/>. Replaced
/// whole when the canary is rebuilt (a reload) or retargeted; the tally carries over.
/// </summary>
public sealed class CanaryRoute
{
    public CanaryRoute(Generation generation, CanaryTarget target, CanaryGuard guard, IShareRoll roll, Action<CanaryTally, string> tripped)
        : this(generation, target, new CanaryRules(target, roll), new CanaryTally(target.Version, guard, tripped))
    {
    }

    private CanaryRoute(Generation generation, CanaryTarget target, CanaryRules rules, CanaryTally tally)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(target);
        Generation = generation;
        Target = target;
        Rules = rules;
        Tally = tally;
        CanarySetCookie = CanaryCookie.SetCookie(target.Version, onCanary: true);
        StableSetCookie = CanaryCookie.SetCookie(target.Version, onCanary: false);
    }

    public Generation Generation { get; }
    public CanaryTarget Target { get; }
    public CanaryRules Rules { get; }
    public CanaryTally Tally { get; }
    public CanaryStats Stats => Tally.Stats;
    public string CanarySetCookie { get; }
    public string StableSetCookie { get; }

    /// <summary>The same canary served by a rebuilt generation: same target, rules and counts.</summary>
    public CanaryRoute WithGeneration(Generation rebuilt) => new(rebuilt, Target, Rules, Tally);

    /// <summary>The same generation with another share or header (counts kept; the cookies stay valid: same version).</summary>
    public CanaryRoute WithTarget(CanaryTarget target, IShareRoll roll) => new(Generation, target, new CanaryRules(target, roll), Tally);
}

/// <summary>
/// Counts a canary's answers and applies its automatic abort. Requests hold this (not the route) until they end: a stable
/// request that outlives the canary must not keep the canary's generation from being collected.
/// </summary>
public sealed class CanaryTally(string version, CanaryGuard guard, Action<CanaryTally, string> tripped)
{
    private int _tripped;

    public string Version { get; } = version;
    public CanaryGuard Guard { get; } = guard;
    public CanaryStats Stats { get; } = new();

    /// <summary>Counts one answered request; the first time the guard's verdict is "abort", tells the owner (once).</summary>
    public void Record(bool onCanary, int statusCode, TimeSpan elapsed)
    {
        Stats.Side(onCanary).Record(statusCode, elapsed);
        if (onCanary && Guard.MaxErrorRate is not null && Volatile.Read(ref _tripped) == 0 && Guard.Verdict(Stats.Canary) is { } reason
            && Interlocked.Exchange(ref _tripped, 1) == 0)
        {
            tripped(this, reason);
        }
    }
}

namespace PluginHost.Core.Reloading;

/// <summary>The outcome of one load or reload. Holds text only: a stored exception would pin the plugin's code.</summary>
public sealed record ReloadResult(
    DateTimeOffset At,
    string Trigger,
    bool Ok,
    string? Error,
    long DurationMs,
    string? Version,
    long? Generation)
{
    /// <summary>How the generation that now serves got there: built, or swapped in warm (a standby or a prepared generation); null when it failed.</summary>
    public string? Swap { get; init; }
}

/// <summary>The values of <see cref="ReloadResult.Swap"/>.</summary>
public static class SwapKinds
{
    /// <summary>Loaded, built and warmed up for this reload.</summary>
    public const string Built = "built";
    /// <summary>The generation a promote had replaced, kept warm, swapped back in (no load).</summary>
    public const string Standby = "standby";
    /// <summary>A generation built ahead by 'promote --prepare', swapped in (no load).</summary>
    public const string Prepared = "prepared";
    /// <summary>The canary's generation, swapped in when its rollout finished (no load).</summary>
    public const string Canary = "canary";
}

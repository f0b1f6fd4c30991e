namespace PluginHost.Core.Reloading;

/// <summary>The outcome of one load or reload. Holds text only: a stored exception would pin the plugin's code.</summary>
public sealed record ReloadResult(
    DateTimeOffset At,
    string Trigger,
    bool Ok,
    string? Error,
    long DurationMs,
    string? Version,
    long? Generation);

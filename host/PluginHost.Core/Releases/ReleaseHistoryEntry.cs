using System.Text.Json.Serialization;

namespace PluginHost.Core.Releases;

/// <summary>One line of the releases history file.</summary>
/// <param name="Time">When it happened (ISO 8601 in the file).</param>
/// <param name="Action">One of <see cref="ReleaseActions"/>.</param>
/// <param name="From">Production before the change (promote/rollback), if any.</param>
/// <param name="To">The version the entry is about: new production, published, pruned or marked bad.</param>
/// <param name="User">Who did it (<see cref="Environment.UserName"/>).</param>
/// <param name="Reason">Why a release was marked bad, why the mark was cleared, or how a canary ended.</param>
public sealed record ReleaseHistoryEntry(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("reason")] string? Reason = null)
{
    /// <summary>A canary's share of clients in percent (action <see cref="ReleaseActions.Canary"/> only).</summary>
    [JsonPropertyName("share")]
    public double? Share { get; init; }

    /// <summary>A canary's forcing header, <c>NAME</c> or <c>NAME=VALUE</c> (action <see cref="ReleaseActions.Canary"/> only).</summary>
    [JsonPropertyName("header")]
    public string? Header { get; init; }
}

/// <summary>The actions written to the history file.</summary>
public static class ReleaseActions
{
    public const string Publish = "publish";
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string MarkBad = "bad";
    public const string Prune = "prune";

    /// <summary>A release marked bad loaded successfully later: the mark no longer holds.</summary>
    public const string Cleared = "cleared";

    /// <summary>
    /// A promote or rollback recorded its entry but was killed before the link moved: production stayed <c>to</c>.
    /// Written by the next command that holds the lock, so the history matches the link again.
    /// </summary>
    public const string Interrupted = "interrupted";

    /// <summary>The running host serves <c>to</c> to a share of clients besides production <c>from</c>.</summary>
    public const string Canary = "canary";

    /// <summary>The canary of <c>to</c> ended: finished (production flipped to it) or aborted; <c>reason</c> says which.</summary>
    public const string CanaryEnd = "canary-end";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReleaseHistoryEntry))]
internal sealed partial class ReleaseHistoryJsonContext : JsonSerializerContext;

namespace PluginHost.Core.Routing;

/// <summary>A header that forces a request onto the canary: any value, or exactly <see cref="Value"/> when given.</summary>
public sealed record CanaryHeader(string Name, string? Value)
{
    /// <summary>Reads <c>NAME</c> or <c>NAME=VALUE</c>; throws <see cref="ArgumentException"/> naming the cause.</summary>
    public static CanaryHeader Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var split = text.IndexOf('=', StringComparison.Ordinal);
        var name = (split < 0 ? text : text[..split]).Trim();
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            throw new ArgumentException($"canary header '{text}' is not NAME or NAME=VALUE with a valid header name (letters, digits, '-', '_')");
        }

        return new CanaryHeader(name, split < 0 ? null : text[(split + 1)..]);
    }

    /// <summary>Null for null or empty text.</summary>
    public static CanaryHeader? ParseOptional(string? text) => string.IsNullOrWhiteSpace(text) ? null : Parse(text);

    public override string ToString() => Value is null ? Name : $"{Name}={Value}";

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}

/// <summary>What a canary serves and to whom.</summary>
/// <param name="Version">The canary release.</param>
/// <param name="Share">Percent of new clients (1–99) that get the canary.</param>
/// <param name="Header">Forces a request onto the canary (testers), or null.</param>
/// <param name="Since">When the canary started.</param>
public sealed record CanaryTarget(string Version, double Share, CanaryHeader? Header, DateTimeOffset Since)
{
    public const double MinShare = 1;
    public const double MaxShare = 99;

    /// <summary>Throws <see cref="ArgumentException"/> when the share is outside 1–99 %.</summary>
    public static void RequireShare(double share)
    {
        if (!double.IsFinite(share) || share < MinShare || share > MaxShare)
        {
            throw new ArgumentException($"canary share {share}% is not from 1% to 99%: 0% is no canary, 100% is 'promote' itself");
        }
    }
}

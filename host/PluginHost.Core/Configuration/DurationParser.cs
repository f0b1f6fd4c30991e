using System.Globalization;
using System.Text.RegularExpressions;

namespace PluginHost.Core.Configuration;

/// <summary>Parses config durations: "250ms", "1.5s", "2m", "1h", or a TimeSpan such as "00:00:30" / "1.02:00:00".</summary>
internal static partial class DurationParser
{
    public const string Hint = "use a number with a unit (250ms, 1s, 2m, 1h) or hh:mm:ss";

    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        }

        value = default;
        var match = WithUnit().Match(text);
        if (!match.Success
            || !double.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var milliseconds = number * match.Groups["unit"].Value switch
        {
            "ms" => 1d,
            "s" => 1_000d,
            "m" => 60_000d,
            _ => 3_600_000d,
        };
        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex WithUnit();
}

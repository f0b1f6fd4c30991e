using System.Globalization;
using System.Text.RegularExpressions;

namespace PluginHost.Core.Configuration;

/// <summary>Parses byte sizes: a plain number of bytes, or "512KB", "10MB", "1.5GB" (1024-based; KiB/MiB/GiB also accepted).</summary>
internal static partial class ByteSizeParser
{
    public const string Hint = "use a number of bytes or a size such as 512KB, 10MB, 1GB";

    public static bool TryParse(string text, out long value)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var match = WithUnit().Match(text);
        if (!match.Success
            || !double.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var bytes = number * match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "B" => 1d,
            "KB" or "KIB" => 1024d,
            "MB" or "MIB" => 1024d * 1024,
            _ => 1024d * 1024 * 1024,
        };
        if (bytes >= long.MaxValue)
        {
            return false;
        }

        value = (long)bytes;
        return true;
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>B|KB|MB|GB|KiB|MiB|GiB)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex WithUnit();
}

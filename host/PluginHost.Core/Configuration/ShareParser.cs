using System.Globalization;

namespace PluginHost.Core.Configuration;

/// <summary>Parses a share of traffic or of answers: "10%" or "0.1", from 0 to 1 (0 % to 100 %).</summary>
public static class ShareParser
{
    public const string Hint = "write a percentage such as 10% or a fraction from 0 to 1 such as 0.1";

    /// <summary>The share as a fraction from 0 to 1, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static double? Parse(string? text, out string? error)
    {
        error = null;
        var trimmed = text?.Trim() ?? "";
        var percent = trimmed.EndsWith('%');
        var number = percent ? trimmed[..^1].TrimEnd() : trimmed;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"'{text}' is not a share; {Hint}";
            return null;
        }

        var fraction = percent ? value / 100 : value;
        if (fraction is < 0 or > 1)
        {
            error = $"'{text}' is out of range; {Hint}";
            return null;
        }

        return fraction;
    }
}

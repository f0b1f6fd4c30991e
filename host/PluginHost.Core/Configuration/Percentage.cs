using System.Globalization;

namespace PluginHost.Core.Configuration;

/// <summary>A share written as <c>10%</c> or <c>10</c> (percent; decimals allowed, e.g. <c>2.5%</c>).</summary>
public static class Percentage
{
    public static bool TryParse(string? text, out double percent)
    {
        percent = 0;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.EndsWith('%'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        return trimmed.Length > 0
            && double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent)
            && double.IsFinite(percent);
    }

    public static string Format(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

using System.Globalization;

namespace PluginHost.Benchmarks.Reporting;

/// <summary>Whether a figure met its target.</summary>
public enum Verdict
{
    /// <summary>A figure for context, with no target.</summary>
    Info,
    Met,
    Missed,

    /// <summary>Not measured (the reason is in the row).</summary>
    Skipped,
}

/// <summary>One line of the results table: a figure beside its baseline.</summary>
public sealed record BenchRow(int Section, string Measure, string Value, string Baseline = "", string Ratio = "", string Target = "", Verdict Verdict = Verdict.Info)
{
    public static Verdict Check(bool met) => met ? Verdict.Met : Verdict.Missed;
}

/// <summary>Formats figures for the table, always with the invariant culture.</summary>
public static class Fmt
{
    public static string Ms(double ms) => double.IsNaN(ms) ? "n/a" : ms < 10 ? F($"{ms:0.00} ms") : F($"{ms:0.0} ms");
    /// <summary>"median / p99" of <paramref name="ms"/>, in milliseconds.</summary>
    public static string MedianAndP99(IEnumerable<double> ms)
    {
        var values = ms.ToList();
        return F($"{Ms(Infrastructure.Stats.Median(values))} / {Ms(Infrastructure.Stats.Percentile(values, 99))}");
    }

    public static string PerSecond(double value) => F($"{value:#,0} req/s");
    public static string Count(long value) => F($"{value:#,0}");
    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "n/a" : F($"{value:0.000}");
    public static string MB(double bytes) => F($"{bytes / 1024 / 1024:0.0} MB");
    public static string MBSigned(double bytes) => F($"{bytes / 1024 / 1024:+0.0;-0.0;0.0} MB");

    public static string F(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToString(CultureInfo.InvariantCulture);
    }
}

namespace ReportingApi.Aggregation;

/// <summary>
/// Aggregates report figures. Its public surface (this class and <see cref="AggregationSummary"/>)
/// is kept small and stable: a release may replace ReportingApi.Aggregation.dll on its own.
/// </summary>
public sealed class ReportAggregator
{
    /// <summary>Identifies this implementation's behaviour.</summary>
    public static string Algorithm => "sum-v1";

    /// <summary>Summarises <paramref name="figures"/>: count, total, mean, min and max.</summary>
    public AggregationSummary Summarize(IEnumerable<decimal> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);

        var count = 0;
        var total = 0m;
        var min = decimal.MaxValue;
        var max = decimal.MinValue;
        foreach (var figure in figures)
        {
            count++;
            total += figure;
            min = Math.Min(min, figure);
            max = Math.Max(max, figure);
        }

        return count == 0
            ? new AggregationSummary(Algorithm, 0, 0m, 0m, 0m, 0m)
            : new AggregationSummary(Algorithm, count, total, total / count, min, max);
    }
}

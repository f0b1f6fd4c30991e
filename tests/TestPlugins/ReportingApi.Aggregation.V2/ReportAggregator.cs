namespace ReportingApi.Aggregation;

/// <summary>
/// Second behaviour of the aggregation library, with exactly the public API of the real one
/// (plugins/ReportingApi.Aggregation): reports "sum-v2" and a doubled total, so a test can tell
/// which build of ReportingApi.Aggregation.dll a generation loaded.
/// </summary>
public sealed class ReportAggregator
{
    /// <summary>Identifies this implementation's behaviour.</summary>
    public static string Algorithm => "sum-v2";

    /// <summary>Summarises <paramref name="figures"/> like sum-v1, but with the total doubled.</summary>
    public AggregationSummary Summarize(IEnumerable<decimal> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);

        var list = figures.ToList();
        if (list.Count == 0)
        {
            return new AggregationSummary(Algorithm, 0, 0m, 0m, 0m, 0m);
        }

        var total = list.Sum() * 2;
        return new AggregationSummary(Algorithm, list.Count, total, total / list.Count, list.Min(), list.Max());
    }
}

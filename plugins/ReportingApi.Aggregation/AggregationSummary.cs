namespace ReportingApi.Aggregation;

/// <summary>The summary of a series of figures, and which algorithm produced it.</summary>
/// <param name="Algorithm">Identifies the aggregation behaviour, e.g. "sum-v1".</param>
/// <param name="Count">How many figures were aggregated.</param>
/// <param name="Total">The total of the figures.</param>
/// <param name="Mean">The mean of the figures, 0 when there are none.</param>
/// <param name="Min">The smallest figure, 0 when there are none.</param>
/// <param name="Max">The largest figure, 0 when there are none.</param>
public sealed record AggregationSummary(string Algorithm, int Count, decimal Total, decimal Mean, decimal Min, decimal Max);

using Microsoft.Extensions.Options;
using PluginHost.Abstractions;
using ReportingApi.Aggregation;

namespace ReportingApi;

/// <summary>Builds the app's answers from its settings and the aggregation library.</summary>
internal sealed class ReportService(
    PluginContext context,
    IOptions<ReportOptions> options,
    ReportAggregator aggregator,
    TimeProvider timeProvider)
{
    private readonly ReportOptions _options = options.Value;

    public VersionInfo GetVersion()
        => new(context.AppName, context.Version, context.Generation, Summarize(), _options.ReportTitle);

    public Report GetReport()
        => new(_options.ReportTitle, timeProvider.GetUtcNow(), _options.Figures, Summarize());

    private AggregationSummary Summarize() => aggregator.Summarize(_options.Figures);
}

/// <summary>The answer of <c>GET /version</c>.</summary>
internal sealed record VersionInfo(string App, string Version, long Generation, AggregationSummary Aggregation, string ReportTitle);

/// <summary>The answer of <c>GET /report</c>.</summary>
internal sealed record Report(string Title, DateTimeOffset GeneratedAt, IReadOnlyList<decimal> Figures, AggregationSummary Summary);

/// <summary>The answer of <c>GET /headers</c>.</summary>
internal sealed record HeadersInfo(IReadOnlyList<string> Headers, string? User);

/// <summary>The answer of <c>POST /echo</c>.</summary>
internal sealed record EchoResult(long Length);

namespace ReportingApi;

/// <summary>The app's settings, bound from its <c>settings</c> section of config.yaml.</summary>
public sealed record ReportOptions
{
    /// <summary>Shown as the report's title.</summary>
    public string ReportTitle { get; init; } = "Untitled report";

    /// <summary>The figures the report aggregates (<c>settings.figures</c>).</summary>
    public IReadOnlyList<decimal> Figures { get; init; } = [];
}

namespace PluginHost.Core.Unloading;

/// <summary>What one hygiene run removed, per app and step, and what it could not remove.</summary>
public sealed class UnloadReport
{
    private readonly Dictionary<(string App, string Step), List<string>> _removed = [];
    private readonly List<string> _failures = [];

    internal string Step { get; set; } = "";

    /// <summary>Records that <paramref name="what"/> (e.g. "timer of Microsoft.Data.Sqlite") of <paramref name="app"/> was removed.</summary>
    public void Removed(string? app, string what)
    {
        var key = (app ?? "(generation)", Step);
        if (!_removed.TryGetValue(key, out var items))
        {
            _removed[key] = items = [];
        }

        items.Add(what);
    }

    public void Failed(string what) => _failures.Add($"{Step}: {what}");

    public IReadOnlyList<string> Failures => _failures;

    public int RemovedCount => _removed.Values.Sum(v => v.Count);

    /// <summary>One line per app: "timers 2 (…), static-events 1 (…)"; identical items are counted, not repeated.</summary>
    public IReadOnlyDictionary<string, string> SummaryByApp() =>
        _removed
            .GroupBy(kv => kv.Key.App)
            .ToDictionary(
                g => g.Key,
                g => string.Join("; ", g.Select(kv => $"{kv.Key.Step}: {Describe(kv.Value)}")));

    private static string Describe(List<string> items) =>
        string.Join(", ", items.GroupBy(i => i).Select(i => i.Count() == 1 ? i.Key : $"{i.Key} ×{i.Count()}"));
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>Parses Prometheus text exposition into samples: enough to check values by name and labels.</summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a Prometheus sample line: '{line}'");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value));
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            _samples.Add((match.Groups["name"].Value, labels, value));
        }
    }

    public string Text { get; }

    public IEnumerable<string> Types => Text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal));

    /// <summary>
    /// The value of the one sample with this name whose labels include every given pair. A missing series throws: a
    /// metric that disappeared must not read as 0. Use <see cref="Contains"/> to assert that a series is absent.
    /// </summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var found = Matching(name, labels);
        return found.Count switch
        {
            0 => throw new KeyNotFoundException($"no sample of {Describe(name, labels)} in the scrape:\n{Text}"),
            1 => found[0].Value,
            _ => throw new InvalidOperationException($"{found.Count} samples of {Describe(name, labels)} match:\n{Text}"),
        };
    }

    /// <summary>True when at least one sample with this name has every given label pair.</summary>
    public bool Contains(string name, params (string Key, string Value)[] labels) => Matching(name, labels).Count > 0;

    private List<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Matching(string name, (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();

    private static string Describe(string name, (string Key, string Value)[] labels) =>
        labels.Length == 0 ? name : name + "{" + string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(""""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)"""")]
    private static partial Regex LabelPair();
}

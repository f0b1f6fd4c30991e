using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Reads a value from a node; on failure reports an error against <paramref name="key"/> and returns false.</summary>
internal delegate bool ValueReader<T>(YamlNode node, string key, ConfigErrors errors, out T value);

/// <summary>
/// One YAML mapping being read into a record. Every key the reader asks for becomes a known key;
/// when reading is done, any other key in the mapping is reported as unknown.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode _node;
    private readonly List<string> _knownKeys = [];

    private YamlSection(YamlMappingNode node, string path, ConfigErrors errors)
    {
        _node = node;
        Path = path;
        Errors = errors;
    }

    /// <summary>Key path of this mapping, e.g. "apps[1].auth"; empty for the root.</summary>
    public string Path { get; }

    public ConfigErrors Errors { get; }

    public int Line => ConfigErrors.LineOf(_node);

    /// <summary>Reads <paramref name="node"/> with <paramref name="read"/>, then reports the keys it did not ask for.</summary>
    public static T Read<T>(YamlMappingNode node, string path, ConfigErrors errors, Func<YamlSection, T> read)
    {
        var section = new YamlSection(node, path, errors);
        var result = read(section);
        section.ReportUnknownKeys();
        return result;
    }

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The value node for <paramref name="key"/>, or null when the key is absent or explicitly null.</summary>
    public YamlNode? Find(string key)
    {
        _knownKeys.Add(key);
        return Lookup(key) is { } value && !YamlValues.IsNull(value) ? value : null;
    }

    /// <summary>The line of <paramref name="key"/>'s value, or of this mapping when the key is absent.</summary>
    public int LineOf(string key) => Lookup(key) is { } value ? ConfigErrors.LineOf(value) : Line;

    public T Get<T>(string key, ValueReader<T> reader, T fallback) =>
        Find(key) is { } node && reader(node, KeyPath(key), Errors, out var value) ? value : fallback;

    public T? Optional<T>(string key, ValueReader<T> reader)
        where T : class =>
        Find(key) is { } node && reader(node, KeyPath(key), Errors, out var value) ? value : null;

    /// <summary>Like <see cref="Optional{T}"/>, but reports a missing key.</summary>
    public T? Required<T>(string key, ValueReader<T> reader)
        where T : class
    {
        if (Find(key) is not { } node)
        {
            var message = Lookup(key) is null ? $"missing required key '{key}'" : "is required but has no value";
            Errors.Add(LineOf(key), KeyPath(key), message);
            return null;
        }

        return reader(node, KeyPath(key), Errors, out var value) ? value : null;
    }

    /// <summary>Reads a nested mapping; returns <paramref name="fallback"/> when it is absent or not a mapping.</summary>
    public T Section<T>(string key, Func<YamlSection, T> read, T fallback)
    {
        if (Find(key) is not { } node)
        {
            return fallback;
        }

        if (node is not YamlMappingNode mapping)
        {
            Errors.Add(node, KeyPath(key), $"expected a map of keys, found {YamlValues.Describe(node)}");
            return fallback;
        }

        return Read(mapping, KeyPath(key), Errors, read);
    }

    private YamlNode? Lookup(string key) =>
        _node.Children.FirstOrDefault(pair => pair.Key is YamlScalarNode { Value: var name } && name == key).Value;

    private void ReportUnknownKeys()
    {
        foreach (var keyNode in _node.Children.Keys)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                Errors.Add(keyNode, Path, $"keys must be plain text, found {YamlValues.Describe(keyNode)}");
            }
            else if (!_knownKeys.Contains(name, StringComparer.Ordinal))
            {
                Errors.Add(keyNode, KeyPath(name), UnknownKeyMessage(name));
            }
        }
    }

    private string UnknownKeyMessage(string name)
    {
        var sameIgnoringCase = _knownKeys.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));
        return sameIgnoringCase is not null
            ? $"unknown key '{name}'; did you mean '{sameIgnoringCase}'? (keys are camelCase)"
            : $"unknown key '{name}'; expected one of: {string.Join(", ", _knownKeys.Distinct())}";
    }
}

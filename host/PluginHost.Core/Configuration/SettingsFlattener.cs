using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>
/// Flattens an app's free-form <c>settings</c> map into IConfiguration keys, like the JSON provider does:
/// nested maps join with ':' ("a:b"), list items use their index ("a:0"), empty maps and lists become null.
/// </summary>
internal static class SettingsFlattener
{
    /// <summary>
    /// Most settings one app may have once YAML aliases are followed: a few hundred bytes of nested aliases expand to
    /// millions of keys ("billion laughs"), so the walk stops at this bound with an error.
    /// </summary>
    public const int MaxSettings = 10_000;

    private sealed class TooManySettingsException : Exception;

    public static bool Read(YamlNode node, string key, ConfigErrors errors, out IReadOnlyDictionary<string, string?> value)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        value = settings;
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(node, key, $"expected a map of settings, found {YamlValues.Describe(node)}");
            return false;
        }

        var errorsBefore = errors.Count;
        try
        {
            AddMapping(mapping, prefix: "", key, settings, errors);
        }
        catch (TooManySettingsException)
        {
            errors.Add(node, key, $"more than {MaxSettings} settings once YAML aliases (*name) are expanded; keep settings small, or read big data from a file");
            settings.Clear();
        }

        return errors.Count == errorsBefore;
    }

    private static void Add(YamlNode node, string prefix, string key, Dictionary<string, string?> settings, ConfigErrors errors)
    {
        switch (node)
        {
            case YamlMappingNode { Children.Count: > 0 } mapping:
                AddMapping(mapping, prefix, key, settings, errors);
                break;
            case YamlSequenceNode { Children.Count: > 0 } sequence:
                for (var index = 0; index < sequence.Children.Count; index++)
                {
                    Add(sequence.Children[index], $"{prefix}:{index}", $"{key}[{index}]", settings, errors);
                }

                break;
            case YamlScalarNode scalar when !YamlValues.IsNull(scalar):
                AddValue(node, prefix, key, scalar.Value, settings, errors);
                break;
            default:
                AddValue(node, prefix, key, null, settings, errors);
                break;
        }
    }

    private static void AddMapping(YamlMappingNode mapping, string prefix, string key, Dictionary<string, string?> settings, ConfigErrors errors)
    {
        foreach (var (keyNode, child) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                errors.Add(keyNode, key, $"setting names must be non-empty text, found {YamlValues.Describe(keyNode)}");
                continue;
            }

            var childPrefix = prefix.Length == 0 ? name : $"{prefix}:{name}";
            Add(child, childPrefix, $"{key}.{name}", settings, errors);
        }
    }

    private static void AddValue(YamlNode node, string settingKey, string key, string? value, Dictionary<string, string?> settings, ConfigErrors errors)
    {
        if (settings.Count >= MaxSettings)
        {
            throw new TooManySettingsException();
        }

        if (!settings.TryAdd(settingKey, value))
        {
            errors.Add(node, key, $"setting '{settingKey}' is given twice (setting names ignore case)");
        }
    }
}

using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Readers for the generic value types of config.yaml: text, booleans, durations, byte sizes and lists.</summary>
internal static class YamlValues
{
    /// <summary>A plain empty value, "~" or "null" (YAML's null); quoted strings are never null.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a map",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an unsupported node",
    };

    public static bool Text(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            value = text;
            return true;
        }

        errors.Add(node, key, $"expected a text value, found {Describe(node)}");
        value = "";
        return false;
    }

    public static bool NonEmptyText(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!Text(node, key, errors, out value))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(node, key, "must not be empty");
            return false;
        }

        return true;
    }

    public static bool Bool(YamlNode node, string key, ConfigErrors errors, out bool value)
    {
        value = false;
        if (!Text(node, key, errors, out var text))
        {
            return false;
        }

        if (bool.TryParse(text, out value))
        {
            return true;
        }

        errors.Add(node, key, $"'{text}' is not a boolean; use true or false");
        return false;
    }

    /// <summary>A whole number from 1 to <see cref="int.MaxValue"/>.</summary>
    public static bool PositiveCount(YamlNode node, string key, ConfigErrors errors, out int value)
    {
        value = 0;
        if (!Text(node, key, errors, out var text))
        {
            return false;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value > 0)
        {
            return true;
        }

        errors.Add(node, key, $"'{text}' must be a whole number of 1 or more");
        return false;
    }

    /// <summary>A strictly positive duration.</summary>
    public static bool Duration(YamlNode node, string key, ConfigErrors errors, out TimeSpan value)
    {
        value = default;
        if (!Text(node, key, errors, out var text))
        {
            return false;
        }

        if (!DurationParser.TryParse(text, out value))
        {
            errors.Add(node, key, $"'{text}' is not a duration; {DurationParser.Hint}");
            return false;
        }

        if (value <= TimeSpan.Zero)
        {
            errors.Add(node, key, $"'{text}' must be a positive duration");
            return false;
        }

        return true;
    }

    /// <summary>A strictly positive number of bytes.</summary>
    public static bool ByteSize(YamlNode node, string key, ConfigErrors errors, out long value)
    {
        value = 0;
        if (!Text(node, key, errors, out var text))
        {
            return false;
        }

        if (!ByteSizeParser.TryParse(text, out value))
        {
            errors.Add(node, key, $"'{text}' is not a size; {ByteSizeParser.Hint}");
            return false;
        }

        if (value <= 0)
        {
            errors.Add(node, key, $"'{text}' must be a positive size");
            return false;
        }

        return true;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, written with digits only (e.g. 10000).</summary>
    public static ValueReader<int> WholeNumber(int min, int max) =>
        (YamlNode node, string key, ConfigErrors errors, out int value) =>
        {
            value = 0;
            if (!Text(node, key, errors, out var text))
            {
                return false;
            }

            var range = string.Create(CultureInfo.InvariantCulture, $"from {min} to {max}");
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                errors.Add(node, key, $"'{text}' is not a whole number; write digits only, {range}");
                return false;
            }

            if (number < min || number > max)
            {
                errors.Add(node, key, $"'{text}' must be {range}");
                return false;
            }

            value = (int)number;
            return true;
        };

    /// <summary>
    /// A list whose items are read with <paramref name="item"/>; a single value counts as a one-item list.
    /// Fails (after reporting every bad item) when any item is bad.
    /// </summary>
    public static ValueReader<IReadOnlyList<string>> ListOf(ValueReader<string> item) =>
        (YamlNode node, string key, ConfigErrors errors, out IReadOnlyList<string> value) =>
        {
            var items = node is YamlSequenceNode sequence
                ? sequence.Children.Select((child, index) => (child, key: $"{key}[{index}]"))
                : [(node, key)];
            var result = new List<string>();
            var ok = true;
            foreach (var (child, childKey) in items)
            {
                if (item(child, childKey, errors, out var text))
                {
                    result.Add(text);
                }
                else
                {
                    ok = false;
                }
            }

            value = result;
            return ok;
        };
}

using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>Parses YAML that must fail and checks the errors, printing all of them when an expected one is missing.</summary>
internal static class ConfigAssert
{
    public const string ConfigPath = "/etc/pluginhost/config.yaml";

    /// <summary>The smallest valid apps section, for tests about the other sections.</summary>
    public const string OneApp = """
        apps:
          - name: Api
            mount: /api
            assembly: Api/Api.dll
        """;

    public static IReadOnlyList<ConfigError> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, ConfigPath)).Errors;

    public static ConfigError HasError(IReadOnlyList<ConfigError> errors, int line, string key, string messagePart)
    {
        var match = errors.FirstOrDefault(error =>
            error.Line == line && error.Key == key && error.Message.Contains(messagePart, StringComparison.Ordinal));
        Assert.True(match is not null,
            $"expected an error at line {line}, key '{key}', containing '{messagePart}'; got:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        return match!;
    }

    public static ConfigError SingleError(string yaml, int line, string key, string messagePart)
    {
        var errors = Errors(yaml);
        var match = HasError(errors, line, key, messagePart);
        Assert.True(errors.Count == 1, $"expected one error; got:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        return match;
    }
}

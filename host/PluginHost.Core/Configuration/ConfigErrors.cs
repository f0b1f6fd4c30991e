using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Collects errors for one config file while it is read, so all of them can be reported together.</summary>
internal sealed class ConfigErrors(string file)
{
    private readonly List<ConfigError> _errors = [];

    public string File { get; } = file;

    public int Count => _errors.Count;

    public void Add(int line, string key, string message) => _errors.Add(new ConfigError(File, line, key, message));

    public void Add(YamlNode node, string key, string message) => Add(LineOf(node), key, message);

    /// <summary>Errors in file order; errors on the same line keep the order they were found in.</summary>
    public IReadOnlyList<ConfigError> InFileOrder() => [.. _errors.OrderBy(error => error.Line)];

    public static int LineOf(YamlNode node) => (int)node.Start.Line;
}

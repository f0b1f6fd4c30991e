namespace PluginHost.Core.Configuration;

/// <summary>One problem in a config file, located by file, line and key path.</summary>
/// <param name="File">The config file as the caller named it.</param>
/// <param name="Line">1-based line of the offending node; 0 when the file could not be read at all.</param>
/// <param name="Key">Key path such as <c>apps[0].mount</c> or <c>reload.pollInterval</c>; empty for file-level errors.</param>
/// <param name="Message">What is wrong and, where it helps, how to fix it.</param>
public sealed record ConfigError(string File, int Line, string Key, string Message)
{
    /// <summary>Compiler style: <c>config.yaml:12: apps[1].mount: message</c>.</summary>
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}" : File;
        return Key.Length > 0 ? $"{location}: {Key}: {Message}" : $"{location}: {Message}";
    }
}

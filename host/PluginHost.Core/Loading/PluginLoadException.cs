namespace PluginHost.Core.Loading;

/// <summary>An app of a release could not be loaded: names the app, the file and the cause, never a bare stack trace.</summary>
public sealed class PluginLoadException(string appName, string file, string cause, Exception? inner = null)
    : Exception($"app '{appName}': {file}: {cause}", inner)
{
    public string AppName { get; } = appName;
    public string File { get; } = file;
    public string Cause { get; } = cause;

    /// <summary>False when the fault lies outside the release (e.g. a users file named by config.yaml): the release is not marked bad.</summary>
    public bool BlamesRelease { get; init; } = true;
}

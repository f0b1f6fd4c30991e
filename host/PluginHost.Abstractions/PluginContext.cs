using Microsoft.Extensions.Configuration;

namespace PluginHost.Abstractions;

/// <summary>What the host tells an app about the load it is part of.</summary>
/// <param name="AppName">The app's name in config.yaml.</param>
/// <param name="Version">The release version: the name of the release folder.</param>
/// <param name="Generation">Counts loads of this host process: 1 for the first, +1 for every reload.</param>
/// <param name="ContentRoot">The app's own folder inside the release.</param>
/// <param name="MountPath">The URL prefix the app is mounted on ("/" for the root).</param>
/// <param name="Settings">The app's <c>settings</c> section of config.yaml.</param>
public sealed record PluginContext(
    string AppName,
    string Version,
    long Generation,
    string ContentRoot,
    string MountPath,
    IConfiguration Settings)
{
    /// <summary>
    /// The app's own folder outside the releases (config.yaml's <c>state.root</c>/&lt;app&gt;/), kept across deploys,
    /// rollbacks and restarts: the place for a SQLite database or uploaded files. Null when the host keeps no state.
    /// The host keeps the app's data-protection key ring there, so its cookies survive a deploy.
    /// </summary>
    public string? StateDirectory { get; init; }
}

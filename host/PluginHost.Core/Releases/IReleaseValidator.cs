using PluginHost.Core.Configuration;

namespace PluginHost.Core.Releases;

/// <summary>Checks that a release folder can serve the configured apps, before it is promoted.</summary>
public interface IReleaseValidator
{
    /// <summary>Returns human-readable problems, each naming the app, the file and the cause; empty means valid.</summary>
    Task<IReadOnlyList<string>> ValidateAsync(HostConfig config, string releasePath, CancellationToken cancellationToken = default);
}

using System.Security.Cryptography;
using PluginHost.Core.Configuration;

namespace PluginHost.Workers;

/// <summary>
/// The config a worker runs under: the host's config.yaml narrowed to one app, whose production link is pinned to the
/// release the host resolved, with nothing watched (the host decides about reloads), no auth (the host authenticated),
/// no request log (the host logs requests), no log file (the host logs the worker's output) and no admin surface.
/// </summary>
internal static class WorkerConfig
{
    /// <summary>The link to the worker's release that <see cref="For"/> makes beside its socket.</summary>
    public static string ReleaseLink(string socketPath) => Path.ChangeExtension(socketPath, ".release");

    public static HostConfig For(HostConfig config, WorkerArguments worker)
    {
        var app = config.Apps.FirstOrDefault(a => a.Name == worker.App)
            ?? throw new ConfigException([new ConfigError(config.SourcePath, 0, "apps", $"has no app named '{worker.App}' any more")]);
        var folder = Path.GetDirectoryName(worker.SocketPath)!;
        var link = ReleaseLink(worker.SocketPath);
        File.Delete(link);
        File.CreateSymbolicLink(link, worker.ReleasePath);
        return config with
        {
            Server = config.Server with { Urls = [], Certificates = [], Http3 = false, ForwardedHeaders = new ForwardedHeadersConfig() },
            Releases = config.Releases with { Root = folder, Production = Path.GetFileName(link) },
            Reload = config.Reload with
            {
                Trigger = Path.Combine(folder, Path.GetFileNameWithoutExtension(worker.SocketPath) + ".never"),
                WatchConfig = false,
                WatchFiles = false,
                LeakDiagnostics = false,
                FirstGeneration = worker.Generation,
                KeepPrevious = false,
            },
            Admin = new AdminConfig { Path = "/.pluginhost-worker/admin", Allow = [], Urls = [], Token = RandomNumberGenerator.GetHexString(32) },
            Logging = config.Logging with { File = null, RequestLog = false },
            Apps = [app with { Isolation = AppIsolation.InProcess, Collectible = false, Auth = null, Hosts = [], MaxConcurrentRequests = null }],
        };
    }
}

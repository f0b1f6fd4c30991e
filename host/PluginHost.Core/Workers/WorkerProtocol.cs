using System.Collections.Immutable;

namespace PluginHost.Core.Workers;

/// <summary>What the host and a worker process agree on: arguments, environment, headers and the probe path.</summary>
public static class WorkerProtocol
{
    /// <summary>The verb that makes the host executable a worker.</summary>
    public const string Verb = "worker";

    /// <summary>The secret every request from the host carries; a worker refuses requests without it.</summary>
    public const string KeyEnvironment = "PLUGINHOST_WORKER_KEY";

    public const string KeyHeader = "X-PluginHost-Worker-Key";

    /// <summary>The host's authenticated user of the request (name, then the scheme kind), when the app has <c>auth</c>.</summary>
    public const string UserHeader = "X-PluginHost-User";

    public const string AuthHeader = "X-PluginHost-Auth";

    /// <summary>The client's address as the host saw it (after the host's own trusted-proxy handling).</summary>
    public const string ClientHeader = "X-PluginHost-Client";

    /// <summary>The client's scheme as the host saw it.</summary>
    public const string SchemeHeader = "X-PluginHost-Scheme";

    /// <summary>
    /// The headers of this protocol: the host drops any a client sent and the worker takes them off before the app runs,
    /// so the app sees the request's headers as an in-process app would. An immutable array: both walk it on every request,
    /// and its enumerator is a struct (an <c>IReadOnlyList</c> would allocate one per request).
    /// </summary>
    public static ImmutableArray<string> Headers { get; } = [KeyHeader, UserHeader, AuthHeader, ClientHeader, SchemeHeader];

    /// <summary>Answered by the worker itself (not the app): 200 once its generation serves.</summary>
    public const string ReadyPath = "/.pluginhost-worker/ready";

    /// <summary>The line a worker writes to its standard output once it listens and its generation serves.</summary>
    public const string ReadyLine = "pluginhost-worker: ready";

    /// <summary>The line a spare writes once it has rehearsed and waits for its app: assigned now, it starts warm.</summary>
    public const string SpareReadyLine = "pluginhost-worker: spare ready";

    /// <summary>The prefix of the one line a worker writes before it exits because its app could not be loaded.</summary>
    public const string FailedPrefix = "pluginhost-worker: failed: ";
}

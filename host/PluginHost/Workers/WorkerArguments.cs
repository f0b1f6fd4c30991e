namespace PluginHost.Workers;

/// <summary>What the host tells a worker on its command line (see <see cref="Core.Workers.WorkerProcess"/>).</summary>
/// <param name="ConfigPath">The host's config.yaml.</param>
/// <param name="App">The app to serve.</param>
/// <param name="ReleasePath">The release folder the host resolved for this generation.</param>
/// <param name="Generation">The host's generation number.</param>
/// <param name="SocketPath">Where to listen.</param>
public sealed record WorkerArguments(string ConfigPath, string App, string ReleasePath, long Generation, string SocketPath);

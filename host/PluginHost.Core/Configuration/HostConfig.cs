namespace PluginHost.Core.Configuration;

/// <summary>The whole of config.yaml, validated, with every path made absolute.</summary>
public sealed record HostConfig
{
    /// <summary>The config file this came from (absolute).</summary>
    public required string SourcePath { get; init; }
    public ServerConfig Server { get; init; } = new();
    public ReleasesConfig Releases { get; init; } = new();
    public ReloadConfig Reload { get; init; } = new();
    public AdminConfig Admin { get; init; } = new();
    public LoggingConfig Logging { get; init; } = new();
    public StateConfig State { get; init; } = new();
    public WorkersConfig Workers { get; init; } = new();
    public CanaryConfig Canary { get; init; } = new();
    public IReadOnlyList<AppConfig> Apps { get; init; } = [];

    /// <summary>The releases/production symlink (absolute).</summary>
    public string ProductionLink => Path.Combine(Releases.Root, Releases.Production);
}

public sealed record ServerConfig
{
    /// <summary>Kestrel listen URLs, e.g. http://127.0.0.1:8080.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];
    /// <summary>On SIGTERM/SIGINT: how long in-flight requests may run before connections are closed.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The certificates of the https URLs (server.certificate: one map, or a list with <c>hosts</c> for SNI). The first
    /// one without hosts (else the first one) answers names no other lists and clients that send no name.
    /// </summary>
    public IReadOnlyList<CertificateConfig> Certificates { get; init; } = [];

    /// <summary>Also offer HTTP/3 (QUIC) on the https URLs where the platform supports it (libmsquic); off by default.</summary>
    public bool Http3 { get; init; }

    public ForwardedHeadersConfig ForwardedHeaders { get; init; } = new();
}

/// <summary>One certificate of server.certificate, with where it was written (start-up errors name the key and line).</summary>
public sealed record CertificateConfig
{
    /// <summary>The certificate file, PEM (a full chain: the server's certificate first) or PFX/PKCS#12 (absolute after loading).</summary>
    public required string Path { get; init; }
    /// <summary>For PEM: the private key file (absolute after loading); null when the key is in <see cref="Path"/> (PEM) or the PFX holds it.</summary>
    public string? KeyPath { get; init; }
    /// <summary>The environment variable holding the password of an encrypted key or PFX; never the password itself.</summary>
    public string? PasswordEnv { get; init; }
    /// <summary>Host names (SNI) this certificate answers, lower case; <c>*.example.org</c> covers one label. Empty: the default.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>Where each key was written, for messages.</summary>
    public CertificateSource Source { get; init; } = new("", "server.certificate", 0, 0, 0);

    /// <summary>Same files, password variable and hosts (where they were written aside).</summary>
    public bool SameAs(CertificateConfig other) =>
        other is not null && Path == other.Path && KeyPath == other.KeyPath && PasswordEnv == other.PasswordEnv
        && Hosts.SequenceEqual(other.Hosts, StringComparer.Ordinal);
}

/// <summary>Where a certificate's keys are in config.yaml: file, key path (e.g. <c>server.certificate[1]</c>) and lines.</summary>
public sealed record CertificateSource(string File, string Key, int PathLine, int KeyPathLine, int PasswordEnvLine)
{
    /// <summary>A start-up error about <paramref name="subKey"/> (path, keyPath, passwordEnv), compiler style like a config error.</summary>
    public ConfigError Error(string subKey, string message)
    {
        var line = subKey switch
        {
            "keyPath" when KeyPathLine > 0 => KeyPathLine,
            "passwordEnv" when PasswordEnvLine > 0 => PasswordEnvLine,
            _ => PathLine,
        };
        return new ConfigError(File, line, $"{Key}.{subKey}", message);
    }
}

public sealed record ForwardedHeadersConfig
{
    /// <summary>
    /// Addresses or CIDR networks of the reverse proxies in front of the host. Only requests whose direct peer is listed
    /// have X-Forwarded-For/-Proto/-Host applied; empty: forwarded headers are ignored.
    /// </summary>
    public IReadOnlyList<string> KnownProxies { get; init; } = [];
}

public sealed record ReleasesConfig
{
    /// <summary>Folder holding the version folders (absolute after loading).</summary>
    public string Root { get; init; } = "releases";
    /// <summary>Name of the symlink inside <see cref="Root"/> that points at the served version.</summary>
    public string Production { get; init; } = "production";
}

public sealed record ReloadConfig
{
    /// <summary>Touching this file reloads (absolute after loading).</summary>
    public string Trigger { get; init; } = "releases/reload.trigger";
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>What a reload does with WebSockets and streams open on the retiring generation.</summary>
    public LongLivedMode LongLived { get; init; } = LongLivedMode.Reconnect;
    /// <summary>In <see cref="LongLivedMode.Keep"/> mode: how long the retiring generation may keep serving its long-lived connections.</summary>
    public TimeSpan LongLivedMaxAge { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan UnloadTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public bool WatchConfig { get; init; } = true;
    /// <summary>Use file system events besides polling; false polls only (e.g. where inotify floods or never fires).</summary>
    public bool WatchFiles { get; init; } = true;
    /// <summary>Unload hygiene steps not to run (by name), e.g. one a framework update broke.</summary>
    public IReadOnlyList<string> SkipUnloadSteps { get; init; } = [];
    /// <summary>When a generation leaks, dump the process and report what holds it (the dump is deleted once read).</summary>
    public bool LeakDiagnostics { get; init; } = true;

    /// <summary>
    /// The number of the first generation (not read from config.yaml): a worker process numbers its only generation as
    /// the host's generation it serves, so the app sees the same number in either isolation.
    /// </summary>
    public long FirstGeneration { get; init; } = 1;
    /// <summary>
    /// Keep the generation a promote replaced loaded and idle (a warm standby), so a rollback to its release swaps back
    /// without loading anything.
    /// </summary>
    public bool KeepPrevious { get; init; } = true;
}

/// <summary>Canary releases ('promote V --canary 10%'): automatic abort and what a restart does.</summary>
public sealed record CanaryConfig
{
    /// <summary>Abort the canary (and mark its release bad) when its 5xx share exceeds this percentage; null: never.</summary>
    public double? MaxErrorRate { get; init; }
    /// <summary>Requests the canary must have answered before <see cref="MaxErrorRate"/> is judged.</summary>
    public int MinRequests { get; init; } = 100;
    public CanaryRestart OnRestart { get; init; } = CanaryRestart.Resume;
}

/// <summary>What a host start does with the canary the release history records as running.</summary>
public enum CanaryRestart
{
    /// <summary>Build the canary again after the first load and split traffic as before (a new cookie roll).</summary>
    Resume,
    /// <summary>Record the canary as ended: everyone gets production.</summary>
    Drop,
}

/// <summary>What happens to WebSockets, server-sent events and SignalR connections open on a generation that retires.</summary>
public enum LongLivedMode
{
    /// <summary>Tell the app at once (ApplicationStopping), abort what is still open at the drain timeout: clients reconnect to the new code.</summary>
    Reconnect,
    /// <summary>Let the old generation serve the connections it has until they close (at most <c>longLivedMaxAge</c>).</summary>
    Keep,
}

public sealed record AdminConfig
{
    /// <summary>URL prefix of the admin surface on the main port.</summary>
    public string Path { get; init; } = "/_pluginhost";
    /// <summary>Client addresses or CIDR networks allowed to use the admin surface.</summary>
    public IReadOnlyList<string> Allow { get; init; } = ["127.0.0.0/8", "::1/128"];
    /// <summary>Optional separate listen URLs for the admin surface.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];
    /// <summary>Optional bearer token required by the admin surface.</summary>
    public string? Token { get; init; }
}

public sealed record LoggingConfig
{
    public string MinimumLevel { get; init; } = "Information";
    /// <summary>Optional rolling log file path (absolute after loading).</summary>
    public string? File { get; init; }
    public bool RequestLog { get; init; } = true;

    /// <summary>
    /// Events each sink (console, file) may hold while it catches up. Logging never waits for a sink: an event that
    /// finds its sink's buffer full is dropped and counted.
    /// </summary>
    public int BufferSize { get; init; } = DefaultBufferSize;

    public const int DefaultBufferSize = 10_000;

    /// <summary>A bound on the memory the buffers may take (a few hundred bytes to a few KB per event).</summary>
    public const int MaxBufferSize = 1_000_000;
}

public sealed record StateConfig
{
    /// <summary>Folder (outside releases/) where each app keeps what survives deploys: its data-protection keys, its data (absolute after loading).</summary>
    public string Root { get; init; } = "state";
}

/// <summary>How the worker processes of process apps (<c>apps[].isolation: process</c>) are run and watched.</summary>
public sealed record WorkersConfig
{
    /// <summary>
    /// Folder of the workers' sockets (a 0700 folder per host process is made inside it). Null: systemd's
    /// $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR/pluginhost, else /tmp/pluginhost-&lt;uid&gt;.
    /// </summary>
    public string? RuntimeDirectory { get; init; }
    /// <summary>How often a worker's readiness is probed (and its memory checked against <c>recycle.maxMemory</c>).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A probe not answered within this long counts as failed; three failures in a row replace the worker.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Restarts of a worker that keeps dying back off up to this delay.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);
}

public sealed record AppConfig
{
    public required string Name { get; init; }
    /// <summary>Normalised URL prefix: "/" or "/a/b" (no trailing slash).</summary>
    public required string Mount { get; init; }
    /// <summary>Path of the app's main assembly, relative to the release folder.</summary>
    public required string Assembly { get; init; }
    /// <summary>How the app is hosted; null: detected from the assembly (a plugin references the contract, an app has a Main).</summary>
    public AppKind? Kind { get; init; }
    /// <summary>
    /// Load the app into a collectible context, which the host cleans up and verifies collected at retirement (not read
    /// from config.yaml). A worker process exits instead of unloading, so it loads its app non-collectible: the runtime
    /// compiles collectible code fully optimised at once (it does not tier it), which made a heavy app's load slow.
    /// </summary>
    public bool Collectible { get; init; } = true;
    /// <summary>How the JIT compiles the app's own assemblies in a collectible context (a worker's tier as usual).</summary>
    public AppJit Jit { get; init; } = AppJit.Optimized;
    /// <summary>Host names this app answers for; empty means every host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public bool PassAuthorization { get; init; }
    /// <summary>Paths (relative to the mount) requested in-process before traffic is swapped to a new generation.</summary>
    public IReadOnlyList<string> Warmup { get; init; } = [];
    /// <summary>How long the warm-up requests and readiness check may take before the load counts as failed.</summary>
    public TimeSpan WarmupTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a retiring generation's hosted services may take to stop once their stopping token is cancelled.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Free-form settings handed to the app as IConfiguration (flattened key → value).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
    /// <summary>Optional static file folder relative to the app's folder in the release.</summary>
    public string? Static { get; init; }
    public long MaxRequestBodySize { get; init; } = 30_000_000;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);
    /// <summary>Requests of this app allowed to run at once (all its generations together); more get 503. Null: no limit.</summary>
    public int? MaxConcurrentRequests { get; init; }
    public AuthConfig? Auth { get; init; }
    /// <summary>Where the app's generations run: in the host's process (the default) or each in a worker process of its own.</summary>
    public AppIsolation Isolation { get; init; } = AppIsolation.InProcess;
    /// <summary>For process isolation: when a worker is replaced by a fresh one (uWSGI's reload-on-rss / max-requests); null: never.</summary>
    public RecycleConfig? Recycle { get; init; }
    /// <summary>For process isolation: the worker's GC heap hard limit (DOTNET_GCHeapHardLimit), in bytes; null: none.</summary>
    public long? MemoryLimit { get; init; }
    /// <summary>
    /// For 'publish' only: the project built into the app's folder of a release (absolute after loading). Null: this
    /// repository's plugins/&lt;App&gt;/&lt;App&gt;.csproj. The host ignores it when serving.
    /// </summary>
    public string? Project { get; init; }
    /// <summary>
    /// For 'publish' only: an already-published folder (e.g. a CI artifact) copied as the app's folder of a release
    /// (absolute after loading). The host ignores it when serving.
    /// </summary>
    public string? From { get; init; }

    /// <summary>The app's folder inside a release: the folder of its assembly.</summary>
    public string ContentRootIn(string releasePath) => Path.GetDirectoryName(Path.Combine(releasePath, Assembly))!;
}

/// <summary>
/// How the JIT compiles an in-process app's own assemblies (the app and its private dependencies). The runtime does not
/// tier code in a collectible context: each method is compiled once, for good, at its first call, in every generation.
/// </summary>
public enum AppJit
{
    /// <summary>Fully optimised, the runtime's choice: a heavy app's reload takes about twice a restart.</summary>
    Optimized,

    /// <summary>
    /// At the JIT's minimal optimisation: a generation loads about as fast as a restarted process starts, and the app's
    /// own code runs slower until the next reload (the shared framework's code tiers as usual).
    /// </summary>
    Quick,
}

/// <summary>Where an app's generations run.</summary>
public enum AppIsolation
{
    /// <summary>In a collectible context of the host's own process.</summary>
    InProcess,

    /// <summary>In a worker process of its own, behind the host's reverse proxy.</summary>
    Process,
}

/// <summary>Limits past which a process app's worker is gracefully replaced; null: no limit.</summary>
/// <param name="MaxMemory">Resident memory of the worker, in bytes.</param>
/// <param name="MaxRequests">Requests one worker serves.</param>
public sealed record RecycleConfig(long? MaxMemory, long? MaxRequests);

/// <summary>What an app's main assembly is.</summary>
public enum AppKind
{
    /// <summary>A class library implementing <c>IPluginApp</c>.</summary>
    Plugin,

    /// <summary>An ordinary, unmodified ASP.NET Core app: its Main builds and runs a web host.</summary>
    AspNetCore,
}

public sealed record AuthConfig
{
    /// <summary>"apiKey" or "basic".</summary>
    public required string Scheme { get; init; }
    /// <summary>For apiKey: the header carrying the key.</summary>
    public string Header { get; init; } = "X-Api-Key";
    /// <summary>For apiKey: file of "name: key-hash" lines; for basic: file of users with salted hashes (absolute after loading).</summary>
    public string? UsersFile { get; init; }
    public string Realm { get; init; } = "PluginHost";
    /// <summary>Failed authentications one client address may make per <see cref="FailureWindow"/>; then 429 until the window ends.</summary>
    public int MaxFailures { get; init; } = 10;
    /// <summary>For apiKey: the environment variable holding the secret key of the keyed hash (optional; see PasswordHasher).</summary>
    public string? KeySecretEnv { get; init; }
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(1);
}

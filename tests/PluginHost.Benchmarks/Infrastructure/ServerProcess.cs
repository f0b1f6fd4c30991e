using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// A web server the suite runs as its own process on a free loopback port: the real host
/// (<c>dotnet PluginHost.dll serve --config … --urls …</c>), the bare Kestrel baseline, or an ordinary app on its own.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private const string HostName = "host";
    private readonly ChildProcess _process;
    private readonly bool _isHost;

    private ServerProcess(ChildProcess process, Uri address, bool isHost)
    {
        _process = process;
        _isHost = isHost;
        Address = address;
        Client = NewClient(address);
    }

    /// <summary>The dotnet muxer running the suite (set by the SDK for its child processes), else the one on PATH.</summary>
    public static string DotnetHost { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public Uri Address { get; }

    /// <summary>Keeps its connections: polling on it measures the server, not connection setup.</summary>
    public HttpClient Client { get; }

    /// <summary>From just before the process started to the first 200 on the ready path.</summary>
    public TimeSpan StartupTime { get; private set; }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the process wrote (stdout and stderr).</summary>
    public string Output => _process.Output;

    /// <param name="cpus">taskset CPU list to run on (throughput runs), or null for any CPU.</param>
    /// <param name="environment">Extra environment variables of the host process (a diagnostic run's startup hook).</param>
    /// <param name="https">Listen on an https URL (the config then names the certificate).</param>
    public static Task<ServerProcess> StartHostAsync(BenchPaths paths, string configPath, string readyPath, string? cpus = null,
        IReadOnlyDictionary<string, string>? environment = null, bool https = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return StartAsync(HostName, paths.HostDll, port => ["serve", "--config", configPath, "--urls", Url(port, https)], readyPath, cpus, environment, https, cancellationToken);
    }

    /// <param name="app">
    /// tiny (the TinyJson endpoint at /api/v1/), reporting (the ReportingApi sample under /api/v1), realstack (the RealStackApp
    /// test plugin under /shop) or upstream (GET /echo?text=, the service RealStackApp's HttpClient calls).
    /// </param>
    /// <param name="cpus">taskset CPU list to run on (throughput runs), or null for any CPU.</param>
    /// <param name="settings">The app's settings (<c>--setting KEY=VALUE</c>), where the app reads any.</param>
    /// <param name="environment">Extra environment variables of the process (a diagnostic run's startup hook).</param>
    /// <param name="certificate">PEM certificate and key files: listen on https with them (Kestrel's own ServerCertificate).</param>
    public static Task<ServerProcess> StartBareAsync(BenchPaths paths, string app, string readyPath, string? cpus = null,
        IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? environment = null,
        (string Certificate, string Key)? certificate = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var https = certificate is not null;
        var settingArguments = (settings ?? new Dictionary<string, string>()).SelectMany(s => new[] { "--setting", $"{s.Key}={s.Value}" }).ToList();
        string[] tls = certificate is { } files ? ["--cert", files.Certificate, "--key", files.Key] : [];
        return StartAsync($"bare Kestrel ({app}{(https ? ", https" : "")})", paths.BareKestrelDll, port => ["--app", app, "--urls", Url(port, https), .. settingArguments, .. tls],
            readyPath, cpus, environment, https, cancellationToken);
    }

    /// <summary>
    /// An ordinary ASP.NET Core app run on its own, as its users run it: <c>dotnet &lt;dll&gt; --urls … &lt;arguments&gt;</c>
    /// in its own folder (its content root, where it finds its appsettings.json).
    /// </summary>
    /// <param name="arguments">Its command-line arguments after <c>--urls</c> (configuration such as <c>--Logging:LogLevel:Default=Warning</c>).</param>
    /// <param name="cpus">taskset CPU list to run on (throughput runs), or null for any CPU.</param>
    public static Task<ServerProcess> StartAppAsync(string dll, string readyPath, IEnumerable<string>? arguments = null, string? cpus = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dll);
        var extra = (arguments ?? []).ToList();
        return StartAsync(Path.GetFileNameWithoutExtension(dll) + " on its own Kestrel", dll, port => ["--urls", Url(port), .. extra], readyPath, cpus,
            environment: null, https: false, cancellationToken);
    }

    public Uri Url(string path) => new(Address, path);

    /// <summary>The host's admin status document.</summary>
    public async Task<JsonElement> StatusAsync(CancellationToken cancellationToken = default) =>
        await Client.GetFromJsonAsync<JsonElement>("/_pluginhost/status", cancellationToken);

    /// <summary>
    /// Managed bytes the server has allocated so far: the host's status (memory.allocatedBytes), or a bare server's
    /// GET /_bench/allocated. Null where the server tells neither.
    /// </summary>
    public async Task<long?> AllocatedBytesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await Client.GetAsync(_isHost ? "/_pluginhost/status" : "/_bench/allocated", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!_isHost)
        {
            return long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var bare) ? bare : null;
        }

        using var status = JsonDocument.Parse(body);
        return status.RootElement.TryGetProperty("memory", out var memory) && memory.TryGetProperty("allocatedBytes", out var allocated)
            ? allocated.GetInt64() : null;
    }

    /// <summary>Resident set size from /proc/&lt;pid&gt;/status.</summary>
    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new BenchException($"No VmRSS in /proc/{_process.Id}/status");
    }

    /// <summary>User + system CPU time the server process and its live child processes (a host's workers) have used so far.</summary>
    public TimeSpan CpuTime() => _process.CpuTime();

    /// <summary>Called with each line the server writes from now on (stdout and stderr), on the thread that read it.</summary>
    public event Action<string>? LineWritten
    {
        add => _process.LineWritten += value;
        remove => _process.LineWritten -= value;
    }

    /// <summary>Throws with the server's output when it died.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new BenchException($"{_process.Name} exited with code {_process.ExitCode}. Its output:\n{_process.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }

    private static async Task<ServerProcess> StartAsync(string name, string dll, Func<int, IEnumerable<string>> arguments, string readyPath, string? cpus,
        IReadOnlyDictionary<string, string>? environment, bool https, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var (fileName, commandLine) = CpuPinning.Wrap(cpus, DotnetHost, [dll, .. arguments(port)]);
        var process = ChildProcess.Start(name, fileName, commandLine, Path.GetDirectoryName(dll), environment);
        var server = new ServerProcess(process, new Uri(Url(port, https)), name == HostName);
        try
        {
            await server.WaitUntilServingAsync(readyPath, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilServingAsync(string readyPath, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        using var poller = NewClient(Address);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EnsureRunning();
            try
            {
                using var response = await poller.GetAsync(readyPath, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    StartupTime = Stopwatch.GetElapsedTime(_process.StartedAt);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchException($"{_process.Name} did not answer {readyPath} with 200 within {StartTimeout.TotalSeconds:0} s. Its output:\n{_process.Output}");
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    private static string Url(int port, bool https = false) => $"{(https ? "https" : "http")}://127.0.0.1:{port}";

    /// <summary>Over https it trusts any certificate: the suite's are self-signed, made for the run.</summary>
    private static HttpClient NewClient(Uri address) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(30),
    };
}

using PluginHost.Core.Configuration;

namespace PluginHost.Core.Workers;

/// <summary>
/// The folder of one host's worker sockets: <c>&lt;runtime&gt;/&lt;host pid&gt;-&lt;n&gt;/</c>, mode 0700, so only the host's
/// user can connect to a worker (n tells apart hosts within one process, as in tests). Created on first use; folders of
/// host processes that no longer run are removed then.
/// </summary>
public sealed class WorkerRuntimeFolder : IDisposable
{
    /// <summary>Linux's limit for a socket path is 108 bytes including the terminator.</summary>
    private const int MaxSocketPath = 107;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static int s_instances;
    private readonly Lazy<string> _path;
    private long _sockets;

    public WorkerRuntimeFolder(WorkersConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Root = config.RuntimeDirectory ?? DefaultRoot();
        _path = new Lazy<string>(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The parent of the per-process folders.</summary>
    public string Root { get; }

    /// <summary>This host process's folder (created on first use).</summary>
    public string Path => _path.Value;

    /// <summary>A new, unused socket path for a worker of <paramref name="app"/>.</summary>
    public string NewSocketPath(string app)
    {
        var path = System.IO.Path.Combine(Path, $"{Interlocked.Increment(ref _sockets)}-{app}.sock");
        if (path.Length > MaxSocketPath)
        {
            path = System.IO.Path.Combine(Path, $"{_sockets}.sock");
        }

        return path.Length <= MaxSocketPath
            ? path
            : throw new InvalidOperationException($"workers.runtimeDirectory {Root}: a socket path in it would be {path.Length} bytes, over Linux's {MaxSocketPath}; choose a shorter folder");
    }

    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } systemd)
        {
            return systemd.Split(':')[0];
        }

        return Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg
            ? System.IO.Path.Combine(xdg, "pluginhost")
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pluginhost-{Environment.UserName}");
    }

    private string Create()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("isolation: process needs Unix domain sockets in an owner-only folder (Linux)");
        }

        Directory.CreateDirectory(Root, OwnerOnly);
        RemoveStale();
        var path = System.IO.Path.Combine(Root, FormattableString.Invariant($"{Environment.ProcessId}-{Interlocked.Increment(ref s_instances)}"));
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path, OwnerOnly);
        // CreateDirectory's mode is masked by the umask; the folder must be the owner's alone whatever the umask.
        File.SetUnixFileMode(path, OwnerOnly);
        return path;
    }

    /// <summary>Sockets left by a host process that was killed: its folder is named by a pid that no longer runs.</summary>
    private void RemoveStale()
    {
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (int.TryParse(System.IO.Path.GetFileName(folder).Split('-')[0], out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    public void Dispose()
    {
        if (_path.IsValueCreated && Directory.Exists(_path.Value))
        {
            try
            {
                Directory.Delete(_path.Value, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

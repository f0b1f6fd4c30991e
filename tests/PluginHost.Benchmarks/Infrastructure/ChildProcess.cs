using System.Collections.Concurrent;
using System.Diagnostics;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>
/// A process the suite started: its output kept (the last lines) for error messages, and always killed
/// with its whole tree on dispose — and, as a last resort, when the suite's own process exits.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private ChildProcess(Process process, string name, long startedAt)
    {
        _process = process;
        Name = name;
        StartedAt = startedAt;
    }

    public string Name { get; }
    public int Id => _process.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedAt { get; }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output => string.Join('\n', _output);

    /// <param name="environment">Variables to set for the child, on top of the suite's own.</param>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        var process = new Process { StartInfo = info };
        var startedAt = Stopwatch.GetTimestamp();
        var child = new ChildProcess(process, name, startedAt);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new BenchException($"Cannot start {fileName}: {ex.Message}", ex);
        }

        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var child = Start(Path.GetFileName(fileName), fileName, arguments);
        var code = await child.WaitForExitAsync(timeout, cancellationToken);
        return (code, child.Output);
    }

    /// <summary>Waits for the exit (all output read); kills the process and throws when the timeout passes first.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(bounded.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new BenchException($"{Name} did not finish within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
        }
    }

    /// <summary>
    /// User + system CPU time of the process and of its live child processes (a host's workers, which run its process
    /// apps), so far. A child that exited is no longer counted.
    /// </summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        var total = _process.TotalProcessorTime;
        foreach (var child in ChildIds(_process.Id))
        {
            try
            {
                using var process = Process.GetProcessById(child);
                total += process.TotalProcessorTime;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }

        return total;
    }

    /// <summary>Called with each line the process writes (stdout and stderr), on the thread that read it.</summary>
    public event Action<string>? LineWritten;

    /// <summary>The processes whose parent is <paramref name="pid"/>, from /proc/&lt;pid&gt;/stat (empty where there is no /proc).</summary>
    public static IReadOnlyList<int> ChildIds(int pid)
    {
        var children = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return children;
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var candidate))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], out var parent) && parent == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Exited meanwhile.
            }
        }

        return children;
    }

    /// <summary>The state (R, S, Z …) and command line of process <paramref name="pid"/>, for a report; "gone" when it exited.</summary>
    public static string Describe(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return $"{pid} [{state}] {commandLine}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{pid} gone";
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bounded.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
        }

        Live.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        LineWritten?.Invoke(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
    }

    private static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
    }
}

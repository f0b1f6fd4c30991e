using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace PluginHost.Core.Workers;

/// <summary>What one worker process is started for.</summary>
/// <param name="ConfigPath">The host's config.yaml: the worker reads its app's entry from it.</param>
/// <param name="App">The app's name in config.yaml.</param>
/// <param name="ReleasePath">The release folder the host's generation resolved (the worker loads exactly this one).</param>
/// <param name="Generation">The host's generation number, for the worker's logs.</param>
/// <param name="SocketPath">Where the worker's Kestrel listens.</param>
/// <param name="Key">The secret the host's requests carry.</param>
/// <param name="MemoryLimit">The GC heap hard limit of the worker (apps[].memoryLimit), or null.</param>
public sealed record WorkerStartInfo(string ConfigPath, string App, string ReleasePath, long Generation, string SocketPath, string Key, long? MemoryLimit = null);

/// <summary>A worker did not get ready; the message is one line naming the cause (the worker's own error when it gave one).</summary>
public sealed class WorkerStartException(string message) : Exception(message);

/// <summary>
/// One worker process: the host executable started with the worker verb. Its output is logged by the host (at the level
/// the worker wrote), its last lines kept for error messages. Its standard input is a pipe the host never writes: when the
/// host dies, however it dies, the pipe closes and the worker exits (no orphans).
/// </summary>
public sealed partial class WorkerProcess : IDisposable
{
    private const int KeptLines = 30;
    private const int SigTerm = 15;
    private readonly Process _process;
    private ILogger _logger;
    private string _app;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _tail = new();
    private LogLevel _lastLevel = LogLevel.Information;
    private volatile bool _spareReady;

    private WorkerProcess(Process process, string socketPath, string key, string app, ILogger logger, DateTimeOffset startedAt)
    {
        _process = process;
        _logger = logger;
        _app = app;
        SocketPath = socketPath;
        Key = key;
        StartedAt = startedAt;
    }

    /// <summary>The secret the host's requests to this worker carry.</summary>
    public string Key { get; }

    public int Pid { get; private set; }
    public string SocketPath { get; }
    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes with the exit code once the process has exited (128 + n when killed by signal n).</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>A spare that has rehearsed and waits for its app (<see cref="WorkerProtocol.SpareReadyLine"/>).</summary>
    public bool IsSpareReady => _spareReady && !HasExited;

    public static WorkerProcess Start(WorkerLaunch launch, WorkerStartInfo info, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Start(launch, info, Arguments(info), info.App, logger, timeProvider);
    }

    /// <summary>
    /// A spare: a worker that starts its runtime and engine now and waits for <see cref="Assign"/> to say which app
    /// generation to load, so a reload does not wait for a process to start.
    /// </summary>
    public static WorkerProcess StartSpare(WorkerLaunch launch, WorkerStartInfo info, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(info);
        string[] arguments = [WorkerProtocol.Verb, "--config", info.ConfigPath, "--socket", info.SocketPath, "--spare"];
        return Start(launch, info, arguments, "(spare)", logger, timeProvider);
    }

    /// <summary>Tells a spare which app generation to load and serve; from here on it is that app's worker.</summary>
    public void Assign(string app, string releasePath, long generation, ILogger logger)
    {
        _app = app;
        _logger = logger;
        var input = _process.StandardInput;
        input.WriteLine(app);
        input.WriteLine(releasePath);
        input.WriteLine(generation.ToString(CultureInfo.InvariantCulture));
        input.Flush();
    }

    private static WorkerProcess Start(WorkerLaunch launch, WorkerStartInfo info, IEnumerable<string> arguments, string app, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var startInfo = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(info.ConfigPath)!,
        };
        foreach (var argument in launch.Arguments.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[WorkerProtocol.KeyEnvironment] = info.Key;
        // A worker serves one app: workstation GC holds a fraction of the server GC's memory per process.
        startInfo.Environment["DOTNET_gcServer"] = "0";
        if (info.MemoryLimit is { } limit)
        {
            startInfo.Environment["DOTNET_GCHeapHardLimit"] = limit.ToString("X", CultureInfo.InvariantCulture);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, info.SocketPath, info.Key, app, logger, timeProvider.GetUtcNow());
        process.OutputDataReceived += (_, e) => worker.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnOutput(e.Data);
        process.Exited += (_, _) => worker.OnExited();
        process.Start();
        worker.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    private static IEnumerable<string> Arguments(WorkerStartInfo info) =>
    [
        WorkerProtocol.Verb,
        "--config", info.ConfigPath,
        "--app", info.App,
        "--release", info.ReleasePath,
        "--generation", info.Generation.ToString(CultureInfo.InvariantCulture),
        "--socket", info.SocketPath,
    ];

    /// <summary>Waits until the worker says it serves; throws <see cref="WorkerStartException"/> when it exits or times out first.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(_ready.Task, _exited.Task).WaitAsync(timeout, timeProvider, cancellationToken)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == _ready.Task)
        {
            return;
        }

        if (first is null)
        {
            throw new WorkerStartException($"worker (pid {Pid}) was not ready within {timeout.TotalSeconds:0.###} s (warmupTimeout){LastWords()}");
        }

        // The exit may be seen before the last lines of output were read.
        await Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, CancellationToken.None);
        throw new WorkerStartException($"worker (pid {Pid}) exited with {DescribeExit(await _exited.Task)} before it was ready{LastWords()}");
    }

    /// <summary>The worker's own one-line failure, else its last line of output.</summary>
    private string LastWords()
    {
        lock (_tail)
        {
            var failed = _tail.LastOrDefault(l => l.StartsWith(WorkerProtocol.FailedPrefix, StringComparison.Ordinal));
            var last = failed?[WorkerProtocol.FailedPrefix.Length..] ?? _tail.LastOrDefault(l => l.Trim().Length > 0);
            return last is null ? "" : $": {last.Trim()}";
        }
    }

    public static string DescribeExit(int code) => code > 128 && code < 128 + 32
        ? $"signal {code - 128} ({SignalName(code - 128)})"
        : $"exit code {code}";

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal",
    };

    /// <summary>Asks the worker to stop (SIGTERM): it finishes its requests, stops its app and exits.</summary>
    public void Terminate()
    {
        if (!HasExited)
        {
            _ = SendSignal(Pid, SigTerm);
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        Terminate();
        try
        {
            await Exited.WaitAsync(timeout, timeProvider);
        }
        catch (TimeoutException)
        {
            Log.Killed(_logger, _app, Pid, timeout.TotalSeconds);
            Kill();
            await Exited;
        }
    }

    /// <summary>The worker's resident memory (VmRSS), or null once it has exited.</summary>
    public long? ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line == WorkerProtocol.ReadyLine)
        {
            _ready.TrySetResult();
            return;
        }

        if (line == WorkerProtocol.SpareReadyLine)
        {
            _spareReady = true;
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > KeptLines)
            {
                _tail.Dequeue();
            }
        }

        var (level, text) = ParseLevel(line);
        _lastLevel = level;
        Log.Output(_logger, level, _app, Pid, text);
    }

    /// <summary>The worker writes "LVL message"; other lines (stack traces, the runtime's own) continue the previous level.</summary>
    private (LogLevel Level, string Text) ParseLevel(string line)
    {
        if (line.Length > 4 && line[3] == ' ')
        {
            LogLevel? level = line[..3] switch
            {
                "VRB" => LogLevel.Trace,
                "DBG" => LogLevel.Debug,
                "INF" => LogLevel.Information,
                "WRN" => LogLevel.Warning,
                "ERR" => LogLevel.Error,
                "FTL" => LogLevel.Critical,
                _ => null,
            };
            if (level is { } known)
            {
                return (known, line[4..]);
            }
        }

        return (line.StartsWith(WorkerProtocol.FailedPrefix, StringComparison.Ordinal) ? LogLevel.Error : _lastLevel, line);
    }

    private void OnExited()
    {
        // Output still being read is not lost: Process raises Exited once the output pipes reached their end.
        int code;
        try
        {
            _process.WaitForExit();
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        _exited.TrySetResult(code);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, EventName = "WorkerOutput", Message = "{App} worker {WorkerPid}: {Line}")]
        public static partial void Output(ILogger logger, LogLevel level, string app, int workerPid, string line);

        [LoggerMessage(EventId = 131, EventName = "WorkerKilled", Level = LogLevel.Warning,
            Message = "{App} worker {WorkerPid} did not exit within {TimeoutSeconds} s of SIGTERM (reload.unloadTimeout); killed it")]
        public static partial void Killed(ILogger logger, string app, int workerPid, double timeoutSeconds);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// The real host executable in its own process (<c>dotnet PluginHost.dll serve --config … --urls …</c>), for what only a
/// process shows: signals, exit codes and what reaches its output. Output is collected for failure messages and
/// assertions; the process is killed on dispose.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The host's main assembly built beside this test assembly's configuration (Debug or Release).</summary>
    public static string HostAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var path = Path.Combine(RepoPaths.Root, "host", "PluginHost", "bin", configuration, framework, "PluginHost.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
        }
    }

    /// <param name="port">The loopback port to listen on; a free one when null.</param>
    /// <param name="readOutput">
    /// False leaves standard output unread until <see cref="ReadOutput"/>: once the pipe is full the host's console
    /// cannot write, as when journald or a terminal stops taking output. Standard error is always read.
    /// </param>
    public static HostProcess Start(string configPath, int? port = null, bool readOutput = true)
    {
        var address = new Uri($"http://127.0.0.1:{port ?? HostRunner.FreePort()}");
        return Start(configPath, address, ["--urls", address.ToString().TrimEnd('/')], null, readOutput);
    }

    /// <summary>
    /// Starts the host as systemd's socket activation does: <paramref name="listener"/> (listening, owned by the test as
    /// systemd owns it) becomes the host's fd 3, with LISTEN_FDS=1 and LISTEN_PID = the host's own pid. bash dups the
    /// socket to fd 3, sets LISTEN_PID to its own pid ($$) and execs the host, which keeps that pid.
    /// </summary>
    public static HostProcess StartSocketActivated(string configPath, Socket listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fd = (int)listener.SafeHandle.DangerousGetHandle();
        // Sockets are created close-on-exec: let this one through to the child, then close the door again.
        SetInheritable(fd, inheritable: true);
        try
        {
            var script = $"exec 3<&{fd}; export LISTEN_FDS=1 LISTEN_PID=$$; exec \"$0\" \"$@\"";
            return Start(configPath, new Uri($"http://127.0.0.1:{endpoint.Port}"), [], ["bash", "-c", script], readOutput: true);
        }
        finally
        {
            SetInheritable(fd, inheritable: false);
        }
    }

    private static HostProcess Start(string configPath, Uri address, string[] listenArguments, string[]? launcher, bool readOutput)
    {
        var dotnet = ExternalCommand.Dotnet;
        // A test run started in the background of a non-interactive shell (as CI scripts do) ignores SIGINT, and a
        // child inherits that: the host would never see Ctrl+C. 'env --default-signal' (GNU coreutils) gives the host
        // the disposition a terminal gives it.
        var start = new ProcessStartInfo(launcher?[0] ?? "env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        string[] arguments = [.. launcher?[1..] ?? [], .. launcher is null ? [] : new[] { "env" }, "--default-signal=INT", dotnet, HostAssembly, "serve", "--config", configPath, .. listenArguments];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dotnet);
        var host = new HostProcess(process, address);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        if (readOutput)
        {
            process.BeginOutputReadLine();
        }

        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts reading standard output, for a host started with <c>readOutput: false</c>.</summary>
    public void ReadOutput() => _process.BeginOutputReadLine();

    /// <summary>Waits until the host answers <paramref name="path"/> with a success status.</summary>
    public Task WaitUntilServingAsync(string path) =>
        Eventually.WaitAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"host exited with {_process.ExitCode} before serving:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync(path);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"host process serving {path}", TimeSpan.FromSeconds(60));

    /// <summary>Sends SIGTERM, as systemd does on 'systemctl stop' (Process.Kill would send SIGKILL).</summary>
    public void Terminate() => Signal(SigTerm, "SIGTERM");

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt() => Signal(SigInt, "SIGINT");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"host did not exit within {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>True when a new connection to the host's port is refused.</summary>
    public async Task<bool> RefusesConnectionsAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, Address.Port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private void Signal(int signal, string name)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void SetInheritable(int fd, bool inheritable)
    {
        const int GetFdFlags = 1;
        const int SetFdFlags = 2;
        const int CloseOnExec = 1;
        var flags = Fcntl(fd, GetFdFlags, 0);
        if (flags < 0 || Fcntl(fd, SetFdFlags, inheritable ? flags & ~CloseOnExec : flags | CloseOnExec) < 0)
        {
            throw new InvalidOperationException($"fcntl({fd}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

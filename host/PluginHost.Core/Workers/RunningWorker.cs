using PluginHost.Core.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace PluginHost.Core.Workers;

/// <summary>
/// A worker process together with the host's connection pool to its socket and the requests forwarded to it. Replaced
/// workers are retired like generations: no new request enters, the ones inside finish, then the process is stopped.
/// </summary>
public sealed class RunningWorker : IDisposable
{
    private long _requests;

    public RunningWorker(WorkerProcess process, TimeSpan connectTimeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        Process = process;
        Transformer = WorkerForwarder.TransformerFor(process.Key);
        ServedBy = new ServedByWorker(process.Pid);
        Client = new HttpMessageInvoker(WorkerHttp.Handler(process.SocketPath, connectTimeout), disposeHandler: true);
    }

    public WorkerProcess Process { get; }

    /// <summary>The secret the host's requests to this worker carry.</summary>
    public string Key => Process.Key;
    public HttpMessageInvoker Client { get; }
    internal HttpTransformer Transformer { get; }
    /// <summary>Set on the requests this worker serves, for the request log.</summary>
    internal ServedByWorker ServedBy { get; }
    public DrainGate Requests { get; } = new();

    /// <summary>Requests forwarded to this worker so far.</summary>
    public long Served => Interlocked.Read(ref _requests);

    internal long CountRequest() => Interlocked.Increment(ref _requests);

    public void Dispose()
    {
        Client.Dispose();
        Process.Dispose();
    }
}

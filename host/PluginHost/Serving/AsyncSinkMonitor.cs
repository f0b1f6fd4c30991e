using PluginHost.Core.Telemetry;
using Serilog.Core;
using Serilog.Sinks.Async;

namespace PluginHost.Serving;

/// <summary>
/// Serilog.Sinks.Async's monitoring hook for one sink's buffer, read by the host's metrics, status and dropped-events
/// warning. Once the buffer is disposed (the logger was closed and flushed) it keeps reporting the last figures.
/// </summary>
internal sealed class AsyncSinkMonitor(string sink) : IAsyncLogEventSinkMonitor, ILogBuffer
{
    private IAsyncLogEventSinkInspector? _inspector;
    private LogBufferStatus _last = new(sink, 0, 0, 0);

    public void StartMonitoring(IAsyncLogEventSinkInspector inspector)
    {
        ArgumentNullException.ThrowIfNull(inspector);
        Volatile.Write(ref _last, new LogBufferStatus(sink, inspector.BufferSize, 0, 0));
        Volatile.Write(ref _inspector, inspector);
    }

    public void StopMonitoring(IAsyncLogEventSinkInspector inspector)
    {
        ArgumentNullException.ThrowIfNull(inspector);
        Volatile.Write(ref _last, Volatile.Read(ref _last) with { Buffered = 0, Dropped = inspector.DroppedMessagesCount });
        Interlocked.CompareExchange(ref _inspector, null, inspector);
    }

    /// <summary>Whether the buffer holds events its worker has yet to write.</summary>
    public bool HasQueued
    {
        get
        {
            try
            {
                return Volatile.Read(ref _inspector) is { Count: > 0 };
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    public void ReleaseLastEvent()
    {
        // The inspector is the buffer itself (Serilog.Sinks.Async's background worker sink).
        (Volatile.Read(ref _inspector) as ILogEventSink)?.Emit(ReleaseMarker.Create());
    }

    public LogBufferStatus Read()
    {
        var inspector = Volatile.Read(ref _inspector);
        if (inspector is null)
        {
            return Volatile.Read(ref _last);
        }

        try
        {
            return new LogBufferStatus(sink, inspector.BufferSize, inspector.Count, inspector.DroppedMessagesCount);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the read of the inspector and its use.
            return Volatile.Read(ref _last) with { Buffered = 0, Dropped = inspector.DroppedMessagesCount };
        }
    }
}

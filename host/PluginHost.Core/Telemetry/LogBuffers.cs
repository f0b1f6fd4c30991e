namespace PluginHost.Core.Telemetry;

/// <summary>One log sink's buffer as last read: how many events it may hold, holds now, and has dropped since start.</summary>
/// <param name="Sink">The sink it feeds: <c>console</c>, <c>file</c>.</param>
/// <param name="Capacity">Events it may hold (<c>logging.bufferSize</c>).</param>
/// <param name="Buffered">Events waiting for the sink now.</param>
/// <param name="Dropped">Events dropped because the buffer was full, since the host started.</param>
public sealed record LogBufferStatus(string Sink, int Capacity, int Buffered, long Dropped);

/// <summary>A bounded buffer in front of a log sink, as the host's logging setup reports it.</summary>
public interface ILogBuffer
{
    LogBufferStatus Read();

    /// <summary>
    /// Passes an event that no sink writes through the buffer, so its worker lets go of the last event it wrote (which
    /// may carry an app's exception or values of its types, and so hold a retired generation) once it has written what
    /// is queued before.
    /// </summary>
    void ReleaseLastEvent();
}

/// <summary>
/// The buffers in front of the host's log sinks, for metrics, status and the dropped-events warning. The executable adds
/// one per sink when it sets up Serilog; a host whose logger has no buffers (the in-process tests) reports none.
/// </summary>
public sealed class LogBuffers
{
    private readonly Lock _addLock = new();
    private ILogBuffer[] _buffers = [];

    public void Add(ILogBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (_addLock)
        {
            Volatile.Write(ref _buffers, [.. _buffers, buffer]);
        }
    }

    public IReadOnlyList<LogBufferStatus> Read() => [.. Volatile.Read(ref _buffers).Select(buffer => buffer.Read())];

    /// <summary>Returns how many buffers were told (see <see cref="ILogBuffer.ReleaseLastEvent"/>).</summary>
    public int ReleaseLastEvents()
    {
        var buffers = Volatile.Read(ref _buffers);
        foreach (var buffer in buffers)
        {
            buffer.ReleaseLastEvent();
        }

        return buffers.Length;
    }
}

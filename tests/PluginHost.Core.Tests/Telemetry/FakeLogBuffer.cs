using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Tests.Telemetry;

/// <summary>A log sink's buffer whose figures the test sets.</summary>
internal sealed class FakeLogBuffer(string sink, int capacity) : ILogBuffer
{
    public int Buffered { get; set; }
    public long Dropped { get; set; }

    public int Releases { get; private set; }

    public LogBufferStatus Read() => new(sink, capacity, Buffered, Dropped);

    public void ReleaseLastEvent() => Releases++;
}

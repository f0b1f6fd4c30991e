using System.Text;
using PluginHost.Serving;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 17: the redirected console writes a burst of events at once, whole lines only, and never holds one back.</summary>
public sealed class BurstConsoleSinkTests
{
    private readonly WriteCountingStream _output = new();
    private bool _moreQueued;

    [Fact]
    public void Emit_WhileMoreEventsAreQueued_WritesTheBurstWithOneWriteOnceTheQueueIsEmpty()
    {
        using var sink = Sink();

        _moreQueued = true;
        for (var i = 0; i < 9; i++)
        {
            sink.Emit(Event($"line {i}"));
        }

        Assert.Empty(_output.Writes);
        _moreQueued = false;
        sink.Emit(Event("line 9"));

        var write = Assert.Single(_output.Writes);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"line {i}"), Lines(write));
    }

    [Fact]
    public void Emit_LongBurst_WritesBlocksOfAtMost4KBOfWholeLines()
    {
        using var sink = Sink();

        _moreQueued = true;
        for (var i = 0; i < 200; i++)
        {
            sink.Emit(Event($"event {i:000} {new string('x', 80)}"));
        }

        Assert.True(_output.Writes.Count >= 4, $"{_output.Writes.Count} writes");
        Assert.All(_output.Writes, w => Assert.True(w.Length <= 4096 && w.EndsWith('\n'), $"a write of {w.Length} bytes"));
        sink.Dispose();
        Assert.Equal(200, _output.Writes.SelectMany(Lines).Count());
    }

    [Fact]
    public void Dispose_WritesWhatIsPending()
    {
        var sink = Sink();
        _moreQueued = true;
        sink.Emit(Event("last words"));

        sink.Dispose();

        Assert.Equal(["last words"], _output.Writes.SelectMany(Lines));
    }

    [Fact]
    public void ReleaseMarker_QueuedBehindTheLastEvent_ThatEventIsWrittenWhenTheMarkerIsDropped()
    {
        using var sink = Sink();
        var filter = new ReleaseMarker.Filter(sink);
        _moreQueued = true;
        filter.Emit(Event("not held back"));
        Assert.Empty(_output.Writes);

        filter.Emit(ReleaseMarker.Create());

        Assert.Equal(["not held back"], _output.Writes.SelectMany(Lines));
    }

    private BurstConsoleSink Sink() => new(new MessageTemplateTextFormatter("{Message:lj}{NewLine}"), () => _moreQueued, _output);

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse(text), []);

    private static IEnumerable<string> Lines(string write) => write.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed class WriteCountingStream : MemoryStream
    {
        private readonly Lock _lock = new();
        private readonly List<string> _writes = [];

        public IReadOnlyList<string> Writes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _writes];
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                _writes.Add(Encoding.UTF8.GetString(buffer, offset, count));
            }
        }
    }
}

using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace PluginHost.Serving;

/// <summary>
/// The console sink behind a log buffer when standard output is a pipe, a file or journald: a burst of events goes out
/// in one <c>write</c> instead of one per event (Serilog.Sinks.Console writes and flushes each event): that system call
/// was about 40 % of what an event cost (README, logging cost). Events are formatted into a pending block, written as soon as
/// the buffer in front has no more events queued, so a line is never held back on a quiet host, or once the block
/// reaches 4 KB, which a pipe writes atomically, so a line other code writes to the console is never cut into. The one
/// queued item that never reaches the sink, the buffer's release marker, has its filter call <see cref="Flush"/>.
/// </summary>
internal sealed class BurstConsoleSink : ILogEventSink, IDisposable
{
    private const int BlockSize = 4096;
    private readonly ITextFormatter _formatter;
    private readonly Func<bool> _moreQueued;
    private readonly Stream _output;
    private readonly StringWriter _pending = new(CultureInfo.InvariantCulture);
    private readonly Encoding _encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly Lock _lock = new();
    private byte[] _bytes;

    /// <param name="moreQueued">Whether the buffer in front holds more events: then the block waits for them.</param>
    public BurstConsoleSink(ITextFormatter formatter, Func<bool> moreQueued, Stream output)
    {
        _formatter = formatter;
        _moreQueued = moreQueued;
        _output = output;
        _bytes = new byte[_encoding.GetMaxByteCount(BlockSize)];
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            var pending = _pending.GetStringBuilder();
            var before = pending.Length;
            _formatter.Format(logEvent, _pending);
            if (before > 0 && pending.Length > BlockSize)
            {
                // Keep the block a pipe writes atomically: what came before this event goes first.
                Write(pending, 0, before);
                pending.Remove(0, before);
            }

            if (pending.Length >= BlockSize || !_moreQueued())
            {
                WritePending();
            }
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            WritePending();
        }
    }

    public void Dispose() => Flush();

    private void WritePending()
    {
        var pending = _pending.GetStringBuilder();
        if (pending.Length > 0)
        {
            Write(pending, 0, pending.Length);
            pending.Clear();
        }
    }

    private void Write(StringBuilder text, int start, int length)
    {
        // One string per write, not per event; whole, so a character never splits across two encodings.
        var block = text.ToString(start, length);
        var size = _encoding.GetMaxByteCount(block.Length);
        if (_bytes.Length < size)
        {
            _bytes = new byte[size];
        }

        var count = _encoding.GetBytes(block, _bytes);
        try
        {
            _output.Write(_bytes, 0, count);
        }
        catch (IOException)
        {
            // The reader went away (a closed pipe): nothing to write to, and a logger must not throw.
        }
    }
}

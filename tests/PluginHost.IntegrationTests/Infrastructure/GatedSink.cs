using Serilog.Core;
using Serilog.Events;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// A sink that holds every event until it is opened, then passes it on: a console or disk that has stopped taking
/// output. Open it before the logger is disposed, or the logger's flush waits for ever.
/// </summary>
public sealed class GatedSink(ILogEventSink next) : ILogEventSink, IDisposable
{
    private readonly ManualResetEventSlim _open = new(initialState: false);
    private int _waiting;

    /// <summary>True while an event is held inside <see cref="Emit"/>.</summary>
    public bool IsHolding => Volatile.Read(ref _waiting) > 0;

    public void Emit(LogEvent logEvent)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            _open.Wait();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        next.Emit(logEvent);
    }

    public void Open() => _open.Set();

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
    }
}

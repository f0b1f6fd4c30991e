namespace PluginHost.Core.Reloading;

/// <summary>
/// Collapses bursts of signals. A signal after a quiet spell fires after a short settle delay (so the few events
/// of one change — a file created then stamped, a link renamed — count once); signals that follow within
/// <c>quietPeriod</c> of the previous one are held and fire once, when the burst has been quiet for
/// <c>quietPeriod</c>. A deploy script touching many files, or 100 touches in a second, thus gives one reload
/// at the start and one after the end: two at most.
/// </summary>
public sealed class Debouncer : IDisposable
{
    public static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(10);
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _quietPeriod;
    private readonly Action<string> _fire;
    private readonly ITimer _timer;
    private long? _lastSignal;
    private string? _heldReason;
    private bool _settling;

    /// <param name="fire">Called with the reason of the last signal it stands for.</param>
    public Debouncer(TimeProvider timeProvider, TimeSpan quietPeriod, Action<string> fire)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(fire);
        _timeProvider = timeProvider;
        _quietPeriod = quietPeriod;
        _fire = fire;
        using (ExecutionContext.SuppressFlow())
        {
            _timer = timeProvider.CreateTimer(_ => FireHeld(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Signal(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var afterQuiet = _lastSignal is not { } last || _timeProvider.GetElapsedTime(last, now) >= _quietPeriod;
            _lastSignal = now;
            _heldReason = reason;
            if (_settling)
            {
                return;
            }

            _settling = afterQuiet;
            _timer.Change(afterQuiet ? SettleDelay : _quietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private void FireHeld()
    {
        string? reason;
        lock (_lock)
        {
            (reason, _heldReason, _settling) = (_heldReason, null, false);
        }

        if (reason is not null)
        {
            _fire(reason);
        }
    }

    public void Dispose() => _timer.Dispose();
}

namespace PluginHost.Core.Reloading;

/// <summary>
/// Collapses bursts of signals. A signal after a quiet spell fires after a short settle delay (so the few events
/// of one change — a file created then stamped, a config file written in parts — count once), or at once when the
/// change is complete the moment it is seen (a symlink renamed over the old one); signals that follow within
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
    private readonly Action<string, long> _fire;
    private readonly ITimer _timer;
    private long? _lastSignal;
    private string? _heldReason;
    private bool _settling;

    /// <param name="fire">Called with the reason of the last signal it stands for.</param>
    public Debouncer(TimeProvider timeProvider, TimeSpan quietPeriod, Action<string> fire)
        : this(timeProvider, quietPeriod, WithoutTimestamp(fire))
    {
    }

    /// <param name="fire">
    /// Called with the reason of the last signal it stands for and that signal's timestamp (<paramref name="timeProvider"/>'s
    /// <see cref="TimeProvider.GetTimestamp"/>): the change was seen before it.
    /// </param>
    public Debouncer(TimeProvider timeProvider, TimeSpan quietPeriod, Action<string, long> fire)
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

    /// <param name="reason">What changed.</param>
    /// <param name="complete">
    /// The change is whole the moment it is seen (a symlink renamed over the old one: readlink gives the old or the new
    /// target, never half of one): after a quiet spell it fires at once, without the settle delay. Within a burst it is
    /// held like any other signal.
    /// </param>
    public void Signal(string reason, bool complete = false)
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

            if (!(afterQuiet && complete))
            {
                _settling = afterQuiet;
                _timer.Change(afterQuiet ? SettleDelay : _quietPeriod, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        FireHeld();
    }

    private void FireHeld()
    {
        string? reason;
        long seenAt;
        lock (_lock)
        {
            (reason, _heldReason, _settling) = (_heldReason, null, false);
            seenAt = _lastSignal ?? 0;
        }

        if (reason is not null)
        {
            _fire(reason, seenAt);
        }
    }

    public void Dispose() => _timer.Dispose();

    private static Action<string, long> WithoutTimestamp(Action<string> fire)
    {
        ArgumentNullException.ThrowIfNull(fire);
        return (reason, _) => fire(reason);
    }
}

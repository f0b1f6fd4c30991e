namespace PluginHost.Core.Reloading;

/// <summary>
/// Collapses a burst of signals into one: fires once the signals have been quiet for <c>delay</c>.
/// A deploy script touching many files, or 100 touches in a second, gives one reload.
/// </summary>
public sealed class Debouncer : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _delay;
    private readonly Action<string, bool> _fire;
    private ITimer? _timer;
    private string? _reason;
    private bool _configChanged;

    /// <param name="fire">Called with the last reason and whether any signal of the burst was a config change.</param>
    public Debouncer(TimeProvider timeProvider, TimeSpan delay, Action<string, bool> fire)
    {
        _timeProvider = timeProvider;
        _delay = delay;
        _fire = fire;
    }

    public void Signal(string reason, bool configChanged = false)
    {
        lock (_lock)
        {
            _reason = reason;
            _configChanged |= configChanged;
            if (_timer is null)
            {
                using (ExecutionContext.SuppressFlow())
                {
                    _timer = _timeProvider.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }

            _timer.Change(_delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        string? reason;
        bool configChanged;
        lock (_lock)
        {
            (reason, configChanged) = (_reason, _configChanged);
            (_reason, _configChanged) = (null, false);
        }

        if (reason is not null)
        {
            _fire(reason, configChanged);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}

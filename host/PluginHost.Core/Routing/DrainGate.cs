namespace PluginHost.Core.Routing;

/// <summary>
/// Counts the requests inside something that can be retired (a generation, a worker process); once retired, no new
/// request enters and the last one out signals that it has drained.
/// </summary>
public sealed class DrainGate
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The retired flag and the in-flight count share one word, so "retired and empty" is one atomic observation: with two
    // fields a late Exit could see zero, then the flag, while a request that entered between them is still running.
    private const long RetiredBit = 1L << 62;
    private long _state;

    public long InFlight => Interlocked.Read(ref _state) & ~RetiredBit;
    public bool IsRetired => (Interlocked.Read(ref _state) & RetiredBit) != 0;

    /// <summary>Retired and left by its last request.</summary>
    public bool IsDrained => _drained.Task.IsCompleted;

    /// <summary>Enters unless retired (then the caller retries on whatever replaced it).</summary>
    public bool TryEnter()
    {
        if ((Interlocked.Increment(ref _state) & RetiredBit) == 0)
        {
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == RetiredBit)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>No new request enters; completes when the last one inside has left.</summary>
    public Task RetireAsync()
    {
        if ((Interlocked.Or(ref _state, RetiredBit) & ~RetiredBit) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}

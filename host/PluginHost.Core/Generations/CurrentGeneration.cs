namespace PluginHost.Core.Generations;

/// <summary>The one reference to the generation that serves new requests; swapped atomically.</summary>
public sealed class CurrentGeneration
{
    private Generation? _current;

    public Generation? Value => Volatile.Read(ref _current);

    /// <summary>
    /// Enters the current generation. Entering increments first and re-checks retirement, so a request can never
    /// slip into a generation after it was retired: it retries on the one that replaced it.
    /// </summary>
    public Generation? Enter()
    {
        while (true)
        {
            var generation = Volatile.Read(ref _current);
            if (generation is null || generation.TryEnter())
            {
                return generation;
            }
        }
    }

    /// <summary>Publishes <paramref name="next"/> and returns the generation it replaced.</summary>
    public Generation? Swap(Generation next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return Interlocked.Exchange(ref _current, next);
    }

    /// <summary>Takes the current generation out of service (host shutdown).</summary>
    public Generation? Clear() => Interlocked.Exchange(ref _current, null);
}

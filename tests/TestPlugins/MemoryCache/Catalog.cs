using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using PluginHost.Abstractions;

namespace MemoryCacheApp;

public sealed record ProductKey(int Id);

public sealed record Product(int Id, string Name, decimal Price, long LoadedByGeneration, int LoadNumber);

public sealed class QuoteOfTheDay
{
    public required string Text { get; init; }
    public required DateTimeOffset ComputedAt { get; init; }
}

public sealed record Category(string Name, int Products);

public sealed record Eviction(string Key, string Reason);

/// <summary>
/// A catalogue that caches what is slow to load, the way the in-memory caching docs show it:
/// products for a fixed time, the quote of the day while it is being read, categories until the catalogue changes.
/// </summary>
public sealed partial class Catalog(IMemoryCache cache, PluginContext context, TimeProvider timeProvider, ILogger<Catalog> logger) : IDisposable
{
    private const string QuoteKey = "quote-of-the-day";
    private const string CategoriesKey = "categories";

    private readonly ConcurrentQueue<Eviction> _evictions = new();
    private readonly ILogger _logger = logger;
    private CancellationTokenSource _catalogChanged = new();
    private int _loads;

    public int Loads => Volatile.Read(ref _loads);

    public IReadOnlyList<Eviction> Evictions => [.. _evictions];

    public async Task<Product> GetProductAsync(int id, CancellationToken cancellationToken)
    {
        var product = await cache.GetOrCreateAsync(new ProductKey(id), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5);
            entry.RegisterPostEvictionCallback(OnEvicted, this);
            return await LoadProductAsync(id, cancellationToken);
        });
        return product!;
    }

    public async Task<QuoteOfTheDay> GetQuoteAsync()
    {
        var quote = await cache.GetOrCreateAsync(QuoteKey, async entry =>
        {
            entry.SlidingExpiration = TimeSpan.FromSeconds(30);
            entry.Priority = CacheItemPriority.High;
            await Task.Yield();
            Interlocked.Increment(ref _loads);
            return new QuoteOfTheDay { Text = $"Generation {context.Generation} says: cache what is slow.", ComputedAt = timeProvider.GetUtcNow() };
        });
        return quote!;
    }

    public IReadOnlyList<Category> GetCategories()
    {
        if (cache.TryGetValue(CategoriesKey, out IReadOnlyList<Category>? categories) && categories is not null)
        {
            return categories;
        }

        Interlocked.Increment(ref _loads);
        categories = [new Category("books", 12), new Category("games", 4), new Category($"generation-{context.Generation}", 1)];
        var options = new MemoryCacheEntryOptions()
            .AddExpirationToken(new CancellationChangeToken(_catalogChanged.Token));
        options.PostEvictionCallbacks.Add(new PostEvictionCallbackRegistration { EvictionCallback = OnEvicted, State = this });
        cache.Set(CategoriesKey, categories, options);
        return categories;
    }

    /// <summary>The catalogue changed: everything cached with its change token expires.</summary>
    public void CatalogChanged()
    {
        var changed = Interlocked.Exchange(ref _catalogChanged, new CancellationTokenSource());
        changed.Cancel();
        changed.Dispose();
    }

    public void Forget(int id) => cache.Remove(new ProductKey(id));

    public void Dispose() => _catalogChanged.Dispose();

    private static void OnEvicted(object key, object? value, EvictionReason reason, object? state)
    {
        var catalog = (Catalog)state!;
        catalog._evictions.Enqueue(new Eviction(key.ToString() ?? "?", reason.ToString()));
        LogEvicted(catalog._logger, key, reason);
    }

    private async Task<Product> LoadProductAsync(int id, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        var load = Interlocked.Increment(ref _loads);
        return new Product(id, $"Product {id}", 9.5m + id, context.Generation, load);
    }

    [LoggerMessage(1, LogLevel.Debug, "Evicted {Key} ({Reason})", EventName = "Evicted")]
    private static partial void LogEvicted(ILogger logger, object key, EvictionReason reason);
}

using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace UnmodifiedMvcApp;

public sealed class CatalogOptions
{
    public string Title { get; set; } = "";
}

public sealed record Item(int Id, [Required, StringLength(40, MinimumLength = 1)] string Name, [Range(0, 1000)] decimal Price);

public sealed class Catalog(IOptions<CatalogOptions> options)
{
    private readonly ConcurrentDictionary<int, Item> _items = new();

    public string Title => options.Value.Title;
    public bool Seeded { get; private set; }

    public IReadOnlyCollection<Item> Items => [.. _items.Values.OrderBy(i => i.Id)];

    public void Add(Item item) => _items[item.Id] = item;

    public void MarkSeeded() => Seeded = true;
}

/// <summary>A hosted service that fills the catalog when the app starts.</summary>
public sealed class CatalogSeeder(Catalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        catalog.Add(new Item(1, "teapot", 12.5m));
        catalog.MarkSeeded();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Collections.Concurrent;

namespace FluentValidationApi;

public sealed class OrderRequest
{
    public string? CustomerName { get; set; }
    public string? CustomerEmail { get; set; }
    public Address? ShippingAddress { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
    public string? CouponCode { get; set; }
}

public sealed class Address
{
    public string? Street { get; set; }
    public string? City { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
}

public sealed class OrderLine
{
    public string? Sku { get; set; }
    public int Quantity { get; set; }
}

public sealed record PlacedOrder(int Id, string CustomerName, int Items, long Generation);

/// <summary>The app's order book (singleton).</summary>
public sealed class OrderBook
{
    private readonly ConcurrentDictionary<int, PlacedOrder> _orders = new();
    private int _lastId;

    public PlacedOrder Place(OrderRequest request, long generation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var order = new PlacedOrder(Interlocked.Increment(ref _lastId), request.CustomerName!, request.Lines.Sum(l => l.Quantity), generation);
        _orders[order.Id] = order;
        return order;
    }

    public PlacedOrder? Find(int id) => _orders.GetValueOrDefault(id);
}

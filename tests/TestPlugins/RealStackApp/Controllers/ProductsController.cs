using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;
using RealStackApp.Data;

namespace RealStackApp.Controllers;

[ApiController]
[Route("api/products")]
public sealed class ProductsController(ShopDbContext db, IOptionsSnapshot<ShopOptions> options, PluginContext context) : ControllerBase
{
    [HttpGet]
    public async Task<ActionResult<object>> List([FromQuery] decimal? maxPrice, [FromQuery] bool inStock = false, CancellationToken cancellationToken = default)
    {
        // SQLite cannot compare the decimal (stored as text) in SQL: filter the price after loading, as its docs advise.
        var query = db.Products.AsNoTracking().Include(p => p.Reviews).AsQueryable();
        if (inStock)
        {
            query = query.Where(p => p.Stock > 0);
        }

        var products = await query.OrderBy(p => p.Id).ToListAsync(cancellationToken);
        var items = products.Where(p => maxPrice is null || p.Price <= maxPrice).Select(ToDto).ToList();
        return new { generation = context.Generation, count = items.Count, items };
    }

    [HttpGet("{id:int}")]
    public async Task<ActionResult<ProductDto>> Get(int id, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().Include(p => p.Reviews).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        return product is null ? NotFound() : ToDto(product);
    }

    [HttpPost]
    public async Task<ActionResult<ProductDto>> Create([FromBody] NewProduct body, CancellationToken cancellationToken)
    {
        var product = new Product { Name = body.Name!, Price = body.Price, Stock = body.Stock };
        db.Products.Add(product);
        await db.SaveChangesAsync(cancellationToken);
        return CreatedAtAction(nameof(Get), new { id = product.Id }, ToDto(product));
    }

    [HttpPost("{id:int}/reviews")]
    public async Task<ActionResult<ProductDto>> Review(int id, [FromBody] NewReview body, CancellationToken cancellationToken)
    {
        var product = await db.Products.Include(p => p.Reviews).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return NotFound();
        }

        product.Reviews.Add(new Review { Stars = body.Stars, Text = body.Text! });
        await db.SaveChangesAsync(cancellationToken);
        return ToDto(product);
    }

    /// <summary>POST api/products/3/buy?quantity=2: the stock policy decides whether a sold-out product can be ordered.</summary>
    [HttpPost("{id:int}/buy")]
    public async Task<IActionResult> Buy(int id, [FromQuery] int quantity = 1, CancellationToken cancellationToken = default)
    {
        var product = await db.Products.FindAsync([id], cancellationToken);
        if (product is null)
        {
            return NotFound();
        }

        if (product.Stock < quantity && options.Value.Policy == StockPolicy.Strict)
        {
            return Conflict(new { generation = context.Generation, error = $"only {product.Stock} left", policy = options.Value.Policy });
        }

        product.Stock = Math.Max(0, product.Stock - quantity);
        await db.SaveChangesAsync(cancellationToken);
        return Ok(new { generation = context.Generation, product.Stock, policy = options.Value.Policy });
    }

    private ProductDto ToDto(Product product) => new()
    {
        Id = product.Id,
        Name = product.Name,
        Price = product.Price,
        Currency = options.Value.Currency,
        Stock = product.Stock,
        AverageStars = product.Reviews.Count == 0 ? null : product.Reviews.Average(r => r.Stars),
        Reviews = [.. product.Reviews.Select(r => new ReviewDto { Id = r.Id, Stars = r.Stars, Text = r.Text })],
        Generation = context.Generation,
    };
}

using Microsoft.EntityFrameworkCore;

namespace RealStackApp.Data;

public sealed class Product
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public decimal Price { get; set; }
    public int Stock { get; set; }
    public List<Review> Reviews { get; set; } = [];
}

public sealed class Review
{
    public int Id { get; set; }
    public int ProductId { get; set; }
    public Product? Product { get; set; }
    public int Stars { get; set; }
    public required string Text { get; set; }
}

public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Review> Reviews => Set<Review>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(product =>
        {
            product.Property(p => p.Name).HasMaxLength(100);
            // SQLite has no decimal type: store cents-exact text, as the EF Core SQLite docs suggest for decimals.
            product.Property(p => p.Price).HasConversion<string>();
            product.HasMany(p => p.Reviews).WithOne(r => r.Product).HasForeignKey(r => r.ProductId);
        });
    }
}

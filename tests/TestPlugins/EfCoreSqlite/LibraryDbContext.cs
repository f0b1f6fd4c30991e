using Microsoft.EntityFrameworkCore;

namespace EfCoreSqlite;

public sealed class Author
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public List<Book> Books { get; set; } = [];
}

public sealed class Book
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public int Year { get; set; }
    public int AuthorId { get; set; }
    public Author? Author { get; set; }
}

public sealed class LibraryDbContext(DbContextOptions<LibraryDbContext> options) : DbContext(options)
{
    public DbSet<Author> Authors => Set<Author>();

    public DbSet<Book> Books => Set<Book>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Author>(author =>
        {
            author.Property(a => a.Name).HasMaxLength(100).IsRequired();
            author.HasIndex(a => a.Name).IsUnique();
            author.HasMany(a => a.Books).WithOne(b => b.Author).HasForeignKey(b => b.AuthorId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Book>(book =>
        {
            book.Property(b => b.Title).HasMaxLength(200).IsRequired();
            book.HasIndex(b => b.Year);
        });
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PluginHost.Abstractions;

namespace EfCoreSqlite;

public sealed record NewAuthor(string Name);

public sealed record NewBook(string Title, int Year);

public sealed record BookDto(int Id, string Title, int Year, int AuthorId);

public sealed record AuthorDto(int Id, string Name, IReadOnlyList<BookDto> Books);

public sealed record ListDto<T>(long Generation, IReadOnlyList<T> Items);

/// <summary>CRUD over authors and their books.</summary>
internal static class LibraryEndpoints
{
    public static void MapLibraryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var authors = endpoints.MapGroup("/authors");
        authors.MapPost("/", CreateAuthorAsync);
        authors.MapGet("/", ListAuthorsAsync);
        authors.MapGet("/{id:int}", GetAuthorAsync);
        authors.MapPost("/{id:int}/books", AddBookAsync);
        authors.MapDelete("/{id:int}", DeleteAuthorAsync);

        var books = endpoints.MapGroup("/books");
        books.MapGet("/", FindBooksAsync);
        books.MapPut("/{id:int}", UpdateBookAsync);
        books.MapDelete("/{id:int}", DeleteBookAsync);
    }

    private static async Task<IResult> CreateAuthorAsync(NewAuthor body, LibraryDbContext db, PluginContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["A name is required."] });
        }

        if (await db.Authors.AnyAsync(a => a.Name == body.Name, cancellationToken))
        {
            return Results.Conflict(new { error = $"author '{body.Name}' exists", generation = context.Generation });
        }

        var author = new Author { Name = body.Name };
        db.Authors.Add(author);
        await db.SaveChangesAsync(cancellationToken);
        return Results.Created($"authors/{author.Id}", ToDto(author));
    }

    private static async Task<ListDto<AuthorDto>> ListAuthorsAsync(LibraryDbContext db, PluginContext context, CancellationToken cancellationToken)
    {
        var authors = await db.Authors.AsNoTracking().Include(a => a.Books).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return new ListDto<AuthorDto>(context.Generation, [.. authors.Select(ToDto)]);
    }

    private static async Task<IResult> GetAuthorAsync(int id, LibraryDbContext db, CancellationToken cancellationToken)
    {
        var author = await db.Authors.AsNoTracking().Include(a => a.Books).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        return author is null ? Results.NotFound() : Results.Ok(ToDto(author));
    }

    private static async Task<IResult> AddBookAsync(int id, NewBook body, LibraryDbContext db, CancellationToken cancellationToken)
    {
        var author = await db.Authors.FindAsync([id], cancellationToken);
        if (author is null)
        {
            return Results.NotFound();
        }

        var book = new Book { Title = body.Title, Year = body.Year, Author = author };
        db.Books.Add(book);
        await db.SaveChangesAsync(cancellationToken);
        return Results.Created($"books/{book.Id}", ToDto(book));
    }

    /// <summary>GET /books?since=1990&amp;author=Le%20Guin: a filtered, ordered LINQ query across the relation.</summary>
    private static async Task<ListDto<BookDto>> FindBooksAsync(int? since, string? author, LibraryDbContext db, PluginContext context, CancellationToken cancellationToken)
    {
        var query = db.Books.AsNoTracking();
        if (since is not null)
        {
            query = query.Where(b => b.Year >= since);
        }

        if (author is not null)
        {
            query = query.Where(b => b.Author!.Name == author);
        }

        var books = await query.OrderBy(b => b.Year).ThenBy(b => b.Title).Select(b => new BookDto(b.Id, b.Title, b.Year, b.AuthorId)).ToListAsync(cancellationToken);
        return new ListDto<BookDto>(context.Generation, books);
    }

    private static async Task<IResult> UpdateBookAsync(int id, NewBook body, LibraryDbContext db, CancellationToken cancellationToken)
    {
        var book = await db.Books.SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (book is null)
        {
            return Results.NotFound();
        }

        book.Title = body.Title;
        book.Year = body.Year;
        await db.SaveChangesAsync(cancellationToken);
        return Results.Ok(ToDto(book));
    }

    private static async Task<IResult> DeleteBookAsync(int id, LibraryDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Books.Where(b => b.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Results.NotFound() : Results.NoContent();
    }

    private static async Task<IResult> DeleteAuthorAsync(int id, LibraryDbContext db, CancellationToken cancellationToken)
    {
        var author = await db.Authors.FindAsync([id], cancellationToken);
        if (author is null)
        {
            return Results.NotFound();
        }

        db.Authors.Remove(author);
        await db.SaveChangesAsync(cancellationToken);
        return Results.NoContent();
    }

    private static AuthorDto ToDto(Author author) => new(author.Id, author.Name, [.. author.Books.OrderBy(b => b.Year).Select(ToDto)]);

    private static BookDto ToDto(Book book) => new(book.Id, book.Title, book.Year, book.AuthorId);
}

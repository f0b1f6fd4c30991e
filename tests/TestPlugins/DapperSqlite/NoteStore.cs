using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace DapperSqlite;

/// <summary>A row of the notes table (SQLite INTEGER is long, TEXT is string: Dapper maps by constructor).</summary>
public sealed record Note(long Id, string Text, long Generation, string CreatedAt);

/// <summary>An aggregate read into a plain class through its setters.</summary>
public sealed class NoteStats
{
    public long Count { get; set; }
    public long Generations { get; set; }
    public string? Latest { get; set; }
}

/// <summary>Data access the way Dapper's README writes it: open a connection, run SQL with parameters, map the rows.</summary>
public sealed class NoteStore(IConfiguration configuration, TimeProvider timeProvider)
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            text TEXT NOT NULL,
            generation INTEGER NOT NULL,
            created_at TEXT NOT NULL)
        """;

    private const string SelectNote = "SELECT id AS Id, text AS Text, generation AS Generation, created_at AS CreatedAt FROM notes";

    private readonly string _connectionString = configuration.GetConnectionString("Notes")
        ?? throw new InvalidOperationException("ConnectionStrings:Notes is missing from the app's settings.");

    public async Task<Note> AddAsync(string text, long generation, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO notes (text, generation, created_at) VALUES (@Text, @Generation, @CreatedAt); SELECT last_insert_rowid();",
            new { Text = text, Generation = generation, CreatedAt = timeProvider.GetUtcNow().ToString("O") },
            cancellationToken: cancellationToken));
        return await connection.QuerySingleAsync<Note>(new CommandDefinition($"{SelectNote} WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<Note?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Note>(new CommandDefinition($"{SelectNote} WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<Note>> ListAsync(long? generation, string? contains, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var notes = await connection.QueryAsync<Note>(new CommandDefinition(
            $"{SelectNote} WHERE (@generation IS NULL OR generation = @generation) AND (@contains IS NULL OR text LIKE '%' || @contains || '%') ORDER BY id",
            new { generation, contains },
            cancellationToken: cancellationToken));
        return [.. notes];
    }

    public async Task<NoteStats> StatsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<NoteStats>(new CommandDefinition(
            "SELECT COUNT(*) AS Count, COUNT(DISTINCT generation) AS Generations, MAX(created_at) AS Latest FROM notes",
            cancellationToken: cancellationToken));
    }

    /// <summary>The synchronous API, as plenty of code still calls it.</summary>
    public long Count(long? generation)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        connection.Execute(CreateTable);
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM notes WHERE @generation IS NULL OR generation = @generation", new { generation });
    }

    public async Task<int> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM notes WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateTable, cancellationToken: cancellationToken));
        return connection;
    }
}

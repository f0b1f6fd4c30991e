using System.Text;
using System.Text.Json;

namespace PluginHost.Core.Releases;

/// <summary>
/// The append-only history file (JSON lines, one <see cref="ReleaseHistoryEntry"/> per line).
/// Each entry is written with a single O_APPEND write so concurrent writers (CLI and host) neither interleave nor overwrite;
/// lines that cannot be read (e.g. a torn last line) are skipped and counted, never fatal.
/// </summary>
public sealed class ReleaseHistory
{
    public ReleaseHistory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
    }

    public string FilePath { get; }

    /// <summary>Lines of the file that could not be read by the last <see cref="ReadAll"/>.</summary>
    public int SkippedLines { get; private set; }

    /// <summary>
    /// Appends one entry as one write(2) to a file opened with O_APPEND, flushed to disk before returning: writers in
    /// other processes can never overwrite it (.NET's FileMode.Append writes at the length it saw when opening, which
    /// lost entries under concurrent writers). <see cref="ReleaseStore"/> also appends only while it holds the
    /// <see cref="ReleasesLock"/>. Returns the file's length before the entry, for <see cref="TruncateTo"/>.
    /// </summary>
    public long Append(ReleaseHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var json = JsonSerializer.Serialize(entry, ReleaseHistoryJsonContext.Default.ReleaseHistoryEntry);
        var before = File.Exists(FilePath) ? new FileInfo(FilePath).Length : 0;
        // A previous writer that died mid-line must not glue its fragment onto this entry.
        var prefix = before > 0 && !EndsWithNewLine(FilePath) ? "\n" : "";
        AppendOnlyFile.Write(FilePath, Encoding.UTF8.GetBytes(prefix + json + "\n"));
        return before;
    }

    /// <summary>Takes back entries appended after <paramref name="length"/> (an action that could not be completed).</summary>
    public void TruncateTo(long length)
    {
        using var handle = File.OpenHandle(FilePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (RandomAccess.GetLength(handle) > length)
        {
            RandomAccess.SetLength(handle, length);
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>All readable entries, oldest first; empty when the file does not exist.</summary>
    public IReadOnlyList<ReleaseHistoryEntry> ReadAll()
    {
        SkippedLines = 0;
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var entries = new List<ReleaseHistoryEntry>();
        using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (TryParse(line) is { } entry)
            {
                entries.Add(entry);
            }
            else
            {
                SkippedLines++;
            }
        }

        return entries;
    }

    private static ReleaseHistoryEntry? TryParse(string line)
    {
        try
        {
            var entry = JsonSerializer.Deserialize(line, ReleaseHistoryJsonContext.Default.ReleaseHistoryEntry);
            return entry is { Action: not null, User: not null } ? entry : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool EndsWithNewLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length == 0)
        {
            return true;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}

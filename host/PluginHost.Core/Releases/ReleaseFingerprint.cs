using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PluginHost.Core.Releases;

/// <summary>
/// What a generation was built from, cheap to take again: every file of the release folder (relative path, size,
/// modification time) and the bytes of config.yaml. Two equal fingerprints mean a new build would load the same files
/// with the same settings, so a generation kept loaded may serve instead. Files are never read, only listed (a release of
/// a few hundred files takes well under a millisecond).
/// </summary>
/// <param name="Release">The release folder (real path).</param>
/// <param name="Hash">SHA-256 over the listing and the config file.</param>
/// <param name="AssemblyBytes">Total size of the release's managed assemblies (*.dll): what a generation reads into memory.</param>
public sealed record ReleaseFingerprint(string Release, string Hash, long AssemblyBytes)
{
    /// <summary>Lists <paramref name="releasePath"/>; a folder that is gone gives a fingerprint no build can match.</summary>
    public static ReleaseFingerprint Take(string releasePath, string configPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(releasePath);
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long assemblyBytes = 0;
        var files = Files(releasePath);
        if (files is null)
        {
            hash.AppendData(Guid.NewGuid().ToByteArray());
        }

        foreach (var (relative, length, ticks) in files ?? [])
        {
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{relative}\0{length}\0{ticks}\n")));
            assemblyBytes += relative.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? length : 0;
        }

        hash.AppendData(Directory.Exists(releasePath) ? [1] : [0]);
        hash.AppendData(ConfigBytes(configPath));
        return new ReleaseFingerprint(releasePath, Convert.ToHexString(hash.GetHashAndReset()), assemblyBytes);
    }

    /// <summary>Whether <paramref name="other"/> names the same folder with the same files and config.</summary>
    public bool Matches(ReleaseFingerprint? other) => other is not null && other.Release == Release && other.Hash == Hash;

    /// <summary>
    /// The release's files, not following links to folders (a link inside a release may point anywhere, even back up: a loop
    /// must not stop the host). A folder that cannot be listed gives no files, so the fingerprint then matches no build.
    /// </summary>
    private static IReadOnlyList<(string Relative, long Length, long Ticks)>? Files(string releasePath)
    {
        if (!Directory.Exists(releasePath))
        {
            return [];
        }

        // Sizes and times as the listing reports them: nothing is opened, so a dangling link cannot fail it.
        var files = new System.IO.Enumeration.FileSystemEnumerable<(string, long, long)>(releasePath,
            (ref System.IO.Enumeration.FileSystemEntry entry) => (Path.GetRelativePath(releasePath, entry.ToFullPath()), entry.Length, entry.LastWriteTimeUtc.UtcTicks),
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        try
        {
            return files.OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[] ConfigBytes(string configPath)
    {
        try
        {
            return File.ReadAllBytes(configPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

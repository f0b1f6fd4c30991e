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
        foreach (var (relative, file) in Files(releasePath))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{relative}\0{file.Length}\0{file.LastWriteTimeUtc.Ticks}\n")));
            assemblyBytes += file.Extension.Equals(".dll", StringComparison.OrdinalIgnoreCase) ? file.Length : 0;
        }

        hash.AppendData(Directory.Exists(releasePath) ? [1] : [0]);
        hash.AppendData(ConfigBytes(configPath));
        return new ReleaseFingerprint(releasePath, Convert.ToHexString(hash.GetHashAndReset()), assemblyBytes);
    }

    /// <summary>Whether <paramref name="other"/> names the same folder with the same files and config.</summary>
    public bool Matches(ReleaseFingerprint? other) => other is not null && other.Release == Release && other.Hash == Hash;

    private static IEnumerable<(string Relative, FileInfo File)> Files(string releasePath)
    {
        var root = new DirectoryInfo(releasePath);
        if (!root.Exists)
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return root.EnumerateFiles("*", options)
            .Select(f => (Path.GetRelativePath(releasePath, f.FullName), f))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)
            .ToList();
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

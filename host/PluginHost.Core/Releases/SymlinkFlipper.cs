using System.Runtime.InteropServices;

namespace PluginHost.Core.Releases;

/// <summary>
/// Points a symlink at a new target atomically: a temporary link is created next to it and renamed over it
/// with rename(2), which replaces the old link in one step, so a reader always sees either the old or the new
/// target, never a missing link. The link is never deleted and re-created.
/// </summary>
/// <remarks>
/// <c>File.Move(tmp, link, overwrite: true)</c> cannot be used: it checks that the source is a file by following
/// the link, and a link to a version folder is a directory, so it throws. rename(2) itself works on the link.
/// </remarks>
public static class SymlinkFlipper
{
    /// <param name="linkPath">The symlink to (re)point; it may not exist yet, but must not be a real folder.</param>
    /// <param name="target">The link's target as stored in the link, e.g. a sibling folder name ("1.5.0").</param>
    public static void Flip(string linkPath, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("atomic symlink flips need rename(2); run release commands on Linux or macOS");
        }

        var link = Path.GetFullPath(linkPath);
        var folder = Path.GetDirectoryName(link) ?? throw new ArgumentException($"'{linkPath}' has no parent folder", nameof(linkPath));
        var temporary = Path.Combine(folder, TemporaryPattern(Path.GetFileName(link)).Replace("*", Guid.NewGuid().ToString("N"), StringComparison.Ordinal));

        File.CreateSymbolicLink(temporary, target);
        if (Rename(temporary, link) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(temporary);
            throw new IOException($"cannot point {link} at '{target}': rename failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>The temporary links' names next to <paramref name="linkName"/>, as a search pattern: <c>.production.*.tmp</c>.</summary>
    public static string TemporaryPattern(string linkName) => $".{linkName}.*.tmp";

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}

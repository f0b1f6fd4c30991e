namespace PluginHost.Core.Releases;

/// <summary>
/// Points a symlink at a new target atomically: a temporary link is created next to it and renamed over it
/// (rename(2) replaces the old link in one step), so a reader always sees either the old or the new target,
/// never a missing link. The link is never deleted and re-created.
/// </summary>
public static class SymlinkFlipper
{
    /// <param name="linkPath">The symlink to (re)point; it may not exist yet, but must not be a real folder.</param>
    /// <param name="target">The link's target as stored in the link, e.g. a sibling folder name ("1.5.0").</param>
    public static void Flip(string linkPath, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        ArgumentException.ThrowIfNullOrEmpty(target);

        var link = Path.GetFullPath(linkPath);
        var folder = Path.GetDirectoryName(link) ?? throw new ArgumentException($"'{linkPath}' has no parent folder", nameof(linkPath));
        var temporary = Path.Combine(folder, $".{Path.GetFileName(link)}.{Guid.NewGuid():N}.tmp");

        File.CreateSymbolicLink(temporary, target);
        try
        {
            File.Move(temporary, link, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}

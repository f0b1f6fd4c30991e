namespace PluginHost.Core.Releases;

/// <summary>
/// A release being built in a hidden folder of the releases root. <see cref="Commit"/> renames it into place,
/// so a half-built release never appears under its version name; disposing without committing deletes it.
/// </summary>
public sealed class ReleaseStaging : IDisposable
{
    private readonly ReleaseStore _store;
    private readonly bool _overwrite;
    private bool _done;

    internal ReleaseStaging(ReleaseStore store, string version, string finalPath, string stagingPath, bool overwrite)
    {
        _store = store;
        _overwrite = overwrite;
        Version = version;
        FinalPath = finalPath;
        StagingPath = stagingPath;
    }

    public string Version { get; }

    /// <summary>Where the release will live once committed.</summary>
    public string FinalPath { get; }

    /// <summary>Where to build it now.</summary>
    public string StagingPath { get; }

    /// <summary>
    /// Moves the finished release under its name. With overwrite, the old release is first renamed to a hidden
    /// <c>.trash-*</c> folder of the root and put back if the new one cannot be moved in, so the version never goes missing.
    /// </summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        string? trash;
        using (_store.Lock())
        {
            trash = MoveIntoPlace();
        }

        if (trash is not null)
        {
            // The new release is in place: a trash folder that cannot be deleted now is hidden, and 'prune' deletes it later.
            ReleaseStore.TryDeleteTrash(trash);
        }
    }

    /// <summary>Under the root's lock: the old release (if replaced) to trash, the new one in, the history entry.</summary>
    private string? MoveIntoPlace()
    {
        string? trash = null;
        if (Directory.Exists(FinalPath))
        {
            if (!_overwrite)
            {
                throw new ReleaseStoreException($"release '{Version}' appeared at {FinalPath} while publishing; nothing was replaced");
            }

            if (Version == _store.Production)
            {
                throw new ReleaseStoreException($"release '{Version}' became production while publishing; nothing was replaced");
            }

            trash = _store.NewTrashPath(Version);
            Directory.Move(FinalPath, trash);
        }

        try
        {
            Directory.Move(StagingPath, FinalPath);
        }
        catch (Exception ex) when (trash is not null && ex is IOException or UnauthorizedAccessException)
        {
            throw RestoreAfterFailedMove(trash, ex);
        }

        _done = true;
        _store.RecordPublish(Version);
        return trash;
    }

    private ReleaseStoreException RestoreAfterFailedMove(string trash, Exception failure)
    {
        try
        {
            Directory.Move(trash, FinalPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ReleaseStoreException(
                $"cannot move the new release '{Version}' to {FinalPath} ({failure.Message}), and putting the old one back failed too " +
                $"({ex.Message}): the old release is at {trash}; rename it to {FinalPath} by hand", failure);
        }

        return new ReleaseStoreException(
            $"cannot move the new release '{Version}' to {FinalPath} ({failure.Message}); the old release '{Version}' was put back unchanged", failure);
    }

    public void Dispose()
    {
        if (!_done && Directory.Exists(StagingPath))
        {
            Directory.Delete(StagingPath, recursive: true);
            _done = true;
        }
    }
}

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

    /// <summary>Moves the finished release under its name (replacing the old one only when overwrite was allowed).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
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

            trash = Path.Combine(_store.Root, $".trash-{Version}-{Guid.NewGuid():N}");
            Directory.Move(FinalPath, trash);
        }

        Directory.Move(StagingPath, FinalPath);
        _done = true;
        _store.RecordPublish(Version);
        if (trash is not null)
        {
            Directory.Delete(trash, recursive: true);
        }
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

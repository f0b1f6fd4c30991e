namespace PluginHost.Core.Releases;

/// <summary>A version folder in the releases root, as listed by <see cref="ReleaseStore.ListVersions"/>.</summary>
/// <param name="Version">The folder name.</param>
/// <param name="Path">The folder's absolute path.</param>
/// <param name="LastUsed">Newest of the folder's write time and its last publish/promote/rollback in the history.</param>
/// <param name="IsProduction">The production symlink points at it.</param>
/// <param name="IsRollbackTarget">'rollback' without --to would go here.</param>
/// <param name="BadReason">Why it is marked bad, or null when it is not.</param>
public sealed record ReleaseInfo(string Version, string Path, DateTimeOffset LastUsed, bool IsProduction, bool IsRollbackTarget, string? BadReason)
{
    public bool IsBad => BadReason is not null;
}

/// <summary>The outcome of a promote or rollback.</summary>
/// <param name="From">Production before (null if there was none).</param>
/// <param name="To">Production now.</param>
/// <param name="Changed">False when <paramref name="To"/> already was production (nothing was written).</param>
public sealed record ReleaseChange(string? From, string To, bool Changed)
{
    /// <summary>Production was not what the caller saw when it started: another command changed it meanwhile.</summary>
    public bool ChangedMeanwhile { get; init; }
}

/// <summary>The outcome of <see cref="ReleaseStore.Prune"/>.</summary>
/// <param name="Deleted">Versions removed from the root.</param>
/// <param name="Kept">Versions left in place.</param>
public sealed record PruneResult(IReadOnlyList<string> Deleted, IReadOnlyList<string> Kept)
{
    /// <summary>Hidden trash folders that could not be deleted (the next prune tries again).</summary>
    public IReadOnlyList<string> NotDeleted { get; init; } = [];
}

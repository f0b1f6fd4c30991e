namespace PluginHost.Core.Releases;

/// <summary>
/// The releases root: its version folders, the production symlink and the history file.
/// Every path it writes is a direct child of the root, named by a checked <see cref="VersionName"/>.
/// Operations that cannot be done throw <see cref="ReleaseStoreException"/> and leave everything unchanged.
/// </summary>
public sealed class ReleaseStore
{
    public const string HistoryFileName = "history.log";

    /// <summary>The default reload trigger's name (reload.trigger in config.yaml can name another one).</summary>
    public const string DefaultTriggerFileName = "reload.trigger";

    /// <summary>Hidden folders of releases being published; see <see cref="ReleaseStaging"/>.</summary>
    public const string StagingPrefix = ".staging-";

    /// <summary>Hidden folders of releases being replaced ('publish --force') or pruned; deleted by 'prune' if left over.</summary>
    public const string TrashPrefix = ".trash-";

    private readonly TimeProvider _timeProvider;
    private readonly string _userName;
    private readonly HashSet<string> _reservedNames;

    /// <param name="reservedNames">More names the host uses inside the root (e.g. the configured reload trigger's file name).</param>
    public ReleaseStore(string releasesRoot, string productionLinkName = "production", TimeProvider? timeProvider = null, string? userName = null,
        IEnumerable<string>? reservedNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(releasesRoot);
        ArgumentException.ThrowIfNullOrEmpty(productionLinkName);
        if (productionLinkName != Path.GetFileName(productionLinkName) || productionLinkName is "." or "..")
        {
            throw new ArgumentException($"the production link name '{productionLinkName}' must be a plain file name inside the releases root", nameof(productionLinkName));
        }

        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(releasesRoot));
        ProductionLinkName = productionLinkName;
        ProductionLinkPath = Path.Combine(Root, productionLinkName);
        History = new ReleaseHistory(Path.Combine(Root, HistoryFileName));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _userName = userName ?? Environment.UserName;
        // Every name the host itself uses inside the root. Hidden ones (.lock, .staging-*, .trash-*, .production.*.tmp)
        // are no valid version names anyway: a version starts with a letter or digit.
        _reservedNames = new HashSet<string>([productionLinkName, HistoryFileName, DefaultTriggerFileName, ReleasesLock.FileName, .. reservedNames ?? []],
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A store for the releases root of <paramref name="config"/>, reserving its reload trigger's name when the trigger
    /// lies in the root.
    /// </summary>
    public static ReleaseStore For(Configuration.HostConfig config, TimeProvider? timeProvider = null, string? userName = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(config.Releases.Root));
        var trigger = Path.GetFullPath(config.Reload.Trigger);
        string[] reserved = Path.GetDirectoryName(trigger) == root ? [Path.GetFileName(trigger)] : [];
        return new ReleaseStore(config.Releases.Root, config.Releases.Production, timeProvider, userName, reserved);
    }

    public string Root { get; }

    public string ProductionLinkName { get; }

    public string ProductionLinkPath { get; }

    public ReleaseHistory History { get; }

    /// <summary>The version the production symlink points at, or null when there is no link.</summary>
    public string? Production
    {
        get
        {
            var target = new FileInfo(ProductionLinkPath).LinkTarget;
            return target is null ? null : Path.GetFileName(Path.TrimEndingDirectorySeparator(target));
        }
    }

    /// <summary>
    /// True when the production link leads to a folder that is not a version folder directly inside the root (e.g. an
    /// absolute link to /somewhere/else): the host serves it, with a warning, but never marks it bad.
    /// </summary>
    public bool ProductionIsOutsideRoot => ProductionOutsideRootTarget() is not null;

    /// <summary>The real folder production leads to when that is outside the root, else null.</summary>
    public string? ProductionOutsideRootTarget()
    {
        var link = new DirectoryInfo(ProductionLinkPath);
        if (link.LinkTarget is null || link.ResolveLinkTarget(returnFinalTarget: true) is not DirectoryInfo { Exists: true } target)
        {
            return null;
        }

        var realRoot = RealRoot();
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target.FullName));
        return (parent == Root || parent == realRoot) && IsVersionFolder(new DirectoryInfo(Path.Combine(Root, target.Name)))
            ? null
            : target.FullName;
    }

    /// <summary>True when production leads to the version folder <paramref name="version"/> of this root (so a failure to load it may mark it bad).</summary>
    public bool ServesFromRoot(string version) => VersionName.IsValid(version) && Production == version && !ProductionIsOutsideRoot;

    /// <summary>The absolute folder of <paramref name="version"/> (which need not exist); rejects bad names.</summary>
    public string GetVersionPath(string version)
    {
        VersionName.Require(version);
        if (_reservedNames.Contains(version))
        {
            throw new ReleaseStoreException(
                $"'{version}' is reserved in the releases root (the host uses {string.Join(", ", _reservedNames.Order(StringComparer.Ordinal))} there) and cannot be a version name");
        }

        var path = Path.GetFullPath(Path.Combine(Root, version));
        if (Path.GetDirectoryName(path) != Root)
        {
            throw new ReleaseStoreException($"version '{version}' does not name a folder directly inside {Root}");
        }

        return path;
    }

    /// <summary>The folder of an existing version; throws naming the versions that do exist.</summary>
    public string RequireExisting(string version)
    {
        var path = GetVersionPath(version);
        if (!IsVersionFolder(new DirectoryInfo(path)))
        {
            var known = VersionFolders().Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
            var hint = known.Count == 0 ? "there are no releases yet (run 'pluginhost publish <version>')" : "available: " + string.Join(", ", known);
            throw new ReleaseStoreException($"release '{version}' not found in {Root}; {hint}");
        }

        return path;
    }

    /// <summary>Every version folder, newest first.</summary>
    public IReadOnlyList<ReleaseInfo> ListVersions()
    {
        var history = History.ReadAll();
        var production = Production;
        var rollbackTarget = FindRollbackTarget(history, production);
        var bad = BadReasons(history);
        var lastUsed = history
            .Where(e => e.To is not null && e.Action is ReleaseActions.Publish or ReleaseActions.Promote or ReleaseActions.Rollback)
            .GroupBy(e => e.To!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(e => e.Time), StringComparer.Ordinal);

        return VersionFolders()
            .Select(d =>
            {
                var written = new DateTimeOffset(d.LastWriteTimeUtc, TimeSpan.Zero);
                var used = lastUsed.TryGetValue(d.Name, out var time) && time > written ? time : written;
                return new ReleaseInfo(d.Name, d.FullName, used, d.Name == production, d.Name == rollbackTarget, bad.GetValueOrDefault(d.Name));
            })
            .OrderByDescending(r => r.LastUsed)
            .ThenByDescending(r => r.Version, StringComparer.Ordinal)
            .ToList();
    }

    public bool IsBad(string version) => GetBadReason(version) is not null;

    /// <summary>Whether <paramref name="history"/>, as the caller read it, marks <paramref name="version"/> bad.</summary>
    public static bool IsBad(IReadOnlyList<ReleaseHistoryEntry> history, string version) => BadReasons(history).ContainsKey(version);

    /// <summary>Why <paramref name="version"/> is marked bad, or null (publishing it again clears the mark).</summary>
    public string? GetBadReason(string version) => BadReasons(History.ReadAll()).GetValueOrDefault(version);

    /// <summary>Records that <paramref name="version"/> failed to load; 'rollback' will skip it.</summary>
    public void MarkBad(string version, string reason)
    {
        VersionName.Require(version);
        using var held = Lock();
        Append(ReleaseActions.MarkBad, from: null, version, string.IsNullOrWhiteSpace(reason) ? "no reason given" : reason.Trim());
    }

    /// <summary>Clears a bad mark of <paramref name="version"/> (it loaded after all); false when it was not marked.</summary>
    public bool ClearBadMark(string version, string reason)
    {
        VersionName.Require(version);
        if (!IsBad(version))
        {
            return false;
        }

        using var held = Lock();
        if (!IsBad(version))
        {
            return false;
        }

        Append(ReleaseActions.Cleared, from: null, version, reason);
        return true;
    }

    /// <summary>Records that the running host started a canary of <paramref name="version"/> (production unchanged).</summary>
    public void RecordCanary(string version, double share, string? header)
    {
        VersionName.Require(version);
        using var held = Lock();
        History.Append(new ReleaseHistoryEntry(_timeProvider.GetUtcNow(), ReleaseActions.Canary, Production, version, _userName)
        {
            Share = share,
            Header = header,
        });
    }

    /// <summary>Records that the canary of <paramref name="version"/> ended, and why (finished, aborted, dropped).</summary>
    public void RecordCanaryEnd(string version, string reason)
    {
        VersionName.Require(version);
        using var held = Lock();
        Append(ReleaseActions.CanaryEnd, Production, version, reason);
    }

    /// <summary>
    /// The canary the history records as running: its last canary entry, unless a canary end, a promote or a rollback
    /// came after it (a flip ends a canary). Null when none runs.
    /// </summary>
    public ReleaseHistoryEntry? ActiveCanary()
    {
        var last = History.ReadAll().LastOrDefault(e => e.Action is ReleaseActions.Canary or ReleaseActions.CanaryEnd
            or ReleaseActions.Promote or ReleaseActions.Rollback);
        return last?.Action == ReleaseActions.Canary ? last : null;
    }

    /// <summary>Where 'rollback' without a version goes: the latest earlier production that still exists and is not bad.</summary>
    public string? FindRollbackTarget() => FindRollbackTarget(History.ReadAll(), Production);

    /// <summary>Points production at <paramref name="version"/> atomically and records it. Validation is the caller's job.</summary>
    /// <param name="expectedFrom">Production as the caller saw it when it started: a change by another command meanwhile is reported in <see cref="ReleaseChange.ChangedMeanwhile"/>.</param>
    public ReleaseChange Promote(string version, bool allowBad = false, string? expectedFrom = null) => Flip(version, ReleaseActions.Promote, allowBad, expectedFrom);

    /// <summary>Points production back at <paramref name="to"/>, or at <see cref="FindRollbackTarget()"/> when null.</summary>
    public ReleaseChange Rollback(string? to = null, bool allowBad = false, string? expectedFrom = null)
    {
        var target = to ?? FindRollbackTarget()
            ?? throw new ReleaseStoreException(
                $"nothing to roll back to: the history in {History.FilePath} has no earlier production that still exists and is not marked bad; use 'rollback --to <version>'");
        return Flip(target, ReleaseActions.Rollback, allowBad, expectedFrom);
    }

    /// <summary>Starts publishing <paramref name="version"/> into a hidden folder of the root; see <see cref="ReleaseStaging"/>.</summary>
    public ReleaseStaging BeginStaging(string version, bool overwrite)
    {
        var path = GetVersionPath(version);
        if (Exists(path))
        {
            if (!overwrite)
            {
                throw new ReleaseStoreException($"release '{version}' already exists at {path}; choose a new version or pass --force to replace it");
            }

            if (!IsVersionFolder(new DirectoryInfo(path)))
            {
                throw new ReleaseStoreException($"{path} exists but is not a release folder; move it away first");
            }

            if (version == Production)
            {
                throw new ReleaseStoreException($"release '{version}' is production and cannot be replaced while served; publish a new version instead");
            }
        }

        Directory.CreateDirectory(Root);
        var staging = Path.Combine(Root, $"{StagingPrefix}{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return new ReleaseStaging(this, version, path, staging, overwrite);
    }

    /// <summary>
    /// Deletes version folders beyond the <paramref name="keep"/> newest, never production nor the rollback target.
    /// Each folder is first renamed to a hidden <c>.trash-*</c> folder of the root (one rename: the release is gone at
    /// once), then deleted; an interrupted prune leaves only hidden trash, never a half-deleted release, and the next
    /// prune deletes trash left over by earlier ones.
    /// </summary>
    public PruneResult Prune(int keep, bool dryRun = false)
    {
        if (keep < 0)
        {
            throw new ReleaseStoreException($"--keep must be 0 or more (got {keep})");
        }

        var deleted = new List<string>();
        var trash = new List<string>();
        IReadOnlyList<ReleaseInfo> versions;
        HashSet<string> protectedVersions;
        // Production, the rollback target and the running canary are read under the lock: no promote, rollback or publish can move them
        // between this reading and the renames below.
        using (dryRun ? null : Lock())
        {
            if (!dryRun)
            {
                DeleteStaleLinks();
                trash.AddRange(TrashFolders());
            }

            versions = ListVersions();
            var canary = ActiveCanary()?.To;
            protectedVersions = versions.Take(keep).Select(v => v.Version)
                .Concat(versions.Where(v => v.IsProduction || v.IsRollbackTarget || v.Version == canary).Select(v => v.Version))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var release in versions.Where(v => !protectedVersions.Contains(v.Version)))
            {
                if (!dryRun)
                {
                    var path = NewTrashPath(release.Version);
                    Directory.Move(GetVersionPath(release.Version), path);
                    trash.Add(path);
                    Append(ReleaseActions.Prune, from: null, release.Version);
                }

                deleted.Add(release.Version);
            }
        }

        // Hidden trash is no release any more: deleting it (slow for big releases) needs no lock.
        var notDeleted = trash.Where(t => !TryDeleteTrash(t)).ToList();
        return new PruneResult(deleted, versions.Select(v => v.Version).Where(protectedVersions.Contains).ToList()) { NotDeleted = notDeleted };
    }

    /// <summary>A new hidden folder name in the root for a release on its way out (never a valid version name).</summary>
    internal string NewTrashPath(string version) => Path.Combine(Root, $"{TrashPrefix}{version}-{Guid.NewGuid():N}");

    /// <summary>Deletes a trash folder; false when it (or part of it) could not be deleted, e.g. permission denied.</summary>
    internal static bool TryDeleteTrash(string trash)
    {
        try
        {
            Directory.Delete(trash, recursive: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(trash);
        }
    }

    private IEnumerable<string> TrashFolders()
        => Directory.Exists(Root)
            ? new DirectoryInfo(Root).EnumerateDirectories(TrashPrefix + "*").Where(d => d.LinkTarget is null).Select(d => d.FullName).ToList()
            : [];

    internal void RecordPublish(string version) => Append(ReleaseActions.Publish, from: null, version);

    /// <summary>Holds the root's <see cref="ReleasesLock"/>: every change of the root happens under it.</summary>
    internal ReleasesLock Lock() => ReleasesLock.Acquire(Root);

    /// <summary>
    /// Deletes temporary links left by a flip that was killed between creating the link and renaming it over
    /// production (under the lock, so none of them belongs to a flip in progress).
    /// </summary>
    private void DeleteStaleLinks()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var stale in new DirectoryInfo(Root).EnumerateFileSystemInfos(SymlinkFlipper.TemporaryPattern(ProductionLinkName)))
        {
            if (stale.LinkTarget is not null)
            {
                File.Delete(stale.FullName);
            }
        }
    }

    private ReleaseChange Flip(string version, string action, bool allowBad, string? expectedFrom)
    {
        // Everything below is read again under the lock: a prune or another promote may have run since the caller
        // validated the release.
        using var held = Lock();
        DeleteStaleLinks();
        RecordInterruptedFlip();
        if (OutsideRootReason(version) is { } outside)
        {
            throw new ReleaseStoreException(outside);
        }

        RequireExisting(version);
        if (!allowBad && GetBadReason(version) is { } reason)
        {
            throw new ReleaseStoreException($"release '{version}' is marked bad ({reason}); republish it, or pass --force to {action} it anyway");
        }

        var link = new FileInfo(ProductionLinkPath);
        if (link.LinkTarget is null && Exists(ProductionLinkPath))
        {
            throw new ReleaseStoreException($"{ProductionLinkPath} is a real file or folder, not a symlink; move it into a version folder and promote that version");
        }

        var from = Production;
        var meanwhile = expectedFrom is not null && (from ?? "") != expectedFrom;
        if (from == version)
        {
            return new ReleaseChange(from, version, Changed: false) { ChangedMeanwhile = meanwhile };
        }

        // What can fail on a full disk is written first: if the history cannot take the entry, production stays.
        var historyLength = Append(action, from, version);
        try
        {
            SymlinkFlipper.Flip(ProductionLinkPath, version);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            History.TruncateTo(historyLength);
            throw;
        }

        return new ReleaseChange(from, version, Changed: true) { ChangedMeanwhile = meanwhile };
    }

    /// <summary>
    /// Under the lock: when the last flip in the history names another target than the link while production is still
    /// where that flip started, the flip was killed between its entry and its rename; record that production stayed.
    /// </summary>
    private void RecordInterruptedFlip()
    {
        var last = History.ReadAll().LastOrDefault(e => e.Action is ReleaseActions.Promote or ReleaseActions.Rollback or ReleaseActions.Interrupted);
        var production = Production;
        if (last is { Action: not ReleaseActions.Interrupted } && last.To != production && last.From == production)
        {
            Append(ReleaseActions.Interrupted, last.To, production,
                $"the {last.Action} to '{last.To}' was interrupted before the link moved; production stayed '{production ?? "(none)"}'");
        }
    }

    /// <summary>Why <paramref name="version"/> cannot be flipped to when its folder is a symlink leading elsewhere, else null.</summary>
    private string? OutsideRootReason(string version)
    {
        var path = GetVersionPath(version);
        var info = new DirectoryInfo(path);
        return info.LinkTarget is { } target
            ? $"release '{version}' is a symlink to '{target}': production must point at a real folder directly inside {Root}; copy the release there instead"
            : null;
    }

    private long Append(string action, string? from, string? to, string? reason = null)
        => History.Append(new ReleaseHistoryEntry(_timeProvider.GetUtcNow(), action, from, to, _userName, reason));

    /// <summary>Where 'rollback' would go from <paramref name="production"/>, by <paramref name="history"/> as the caller read it.</summary>
    public string? FindRollbackTarget(IReadOnlyList<ReleaseHistoryEntry> history, string? production)
    {
        var bad = BadReasons(history);
        var stack = ProductionStack(history);
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            var candidate = stack[i];
            if (candidate != production && !bad.ContainsKey(candidate) && VersionName.IsValid(candidate)
                && IsVersionFolder(new DirectoryInfo(Path.Combine(Root, candidate))))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Replays promotes and rollbacks as an undo stack: a promote pushes, a rollback pops back to its target
    /// (or pushes it when it was never production), so repeated rollbacks walk further back instead of ping-ponging.
    /// </summary>
    private static List<string> ProductionStack(IReadOnlyList<ReleaseHistoryEntry> history)
    {
        var stack = new List<string>();
        foreach (var entry in history)
        {
            if (entry.Action == ReleaseActions.Interrupted)
            {
                // The flip before it never happened.
                if (stack.Count > 0 && stack[^1] == entry.From)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            if (entry.To is null || entry.Action is not (ReleaseActions.Promote or ReleaseActions.Rollback))
            {
                continue;
            }

            if (entry.From is { } from && (stack.Count == 0 || stack[^1] != from))
            {
                stack.Add(from);
            }

            var existing = entry.Action == ReleaseActions.Rollback ? stack.LastIndexOf(entry.To) : -1;
            if (existing >= 0)
            {
                stack.RemoveRange(existing + 1, stack.Count - existing - 1);
            }
            else if (stack.Count == 0 || stack[^1] != entry.To)
            {
                stack.Add(entry.To);
            }
        }

        return stack;
    }

    private static Dictionary<string, string> BadReasons(IReadOnlyList<ReleaseHistoryEntry> history)
    {
        var bad = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in history.Where(e => e.To is not null))
        {
            if (entry.Action == ReleaseActions.MarkBad)
            {
                bad[entry.To!] = entry.Reason ?? "no reason given";
            }
            else if (entry.Action is ReleaseActions.Publish or ReleaseActions.Cleared)
            {
                bad.Remove(entry.To!);
            }
        }

        return bad;
    }

    private IEnumerable<DirectoryInfo> VersionFolders()
        => Directory.Exists(Root)
            ? new DirectoryInfo(Root).EnumerateDirectories().Where(d => IsVersionFolder(d) && !_reservedNames.Contains(d.Name))
            : [];

    private string RealRoot()
        => Path.TrimEndingDirectorySeparator(new DirectoryInfo(Root).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Root);

    private static bool IsVersionFolder(DirectoryInfo folder)
        => folder.Exists && folder.LinkTarget is null && VersionName.IsValid(folder.Name);

    private static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;
}

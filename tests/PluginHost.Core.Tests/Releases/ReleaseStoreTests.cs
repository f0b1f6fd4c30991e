using System.Collections.Concurrent;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class ReleaseStoreTests : IDisposable
{
    private static readonly string[] Apps = ["ReportingApi", "WebApp"];
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps(Apps);

    [Fact]
    public void PromoteThenRollback_TwoReleases_ProductionReturnsAndHistoryRecordsBoth()
    {
        _releases.AddRelease("1.4.2");
        _releases.AddRelease("1.5.0");
        var sut = _releases.CreateStore();
        sut.Promote("1.4.2");

        var promoted = sut.Promote("1.5.0");
        var rolledBack = sut.Rollback();

        Assert.Equal(new ReleaseChange("1.4.2", "1.5.0", Changed: true), promoted);
        Assert.Equal(new ReleaseChange("1.5.0", "1.4.2", Changed: true), rolledBack);
        Assert.Equal("1.4.2", _releases.ReadProduction());
        Assert.Equal("1.4.2", sut.Production);
        var history = sut.History.ReadAll();
        Assert.Equal(
            [(ReleaseActions.Promote, null, "1.4.2"), (ReleaseActions.Promote, "1.4.2", "1.5.0"), (ReleaseActions.Rollback, "1.5.0", "1.4.2")],
            history.Select(e => (e.Action, e.From, e.To)));
        Assert.All(history, e => Assert.Equal("tester", e.User));
        Assert.All(history, e => Assert.Equal(_releases.Time.GetUtcNow(), e.Time));
    }

    [Fact]
    public void Rollback_Twice_WalksFurtherBackInsteadOfPingPonging()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        _releases.AddRelease("3");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.Promote("2");
        sut.Promote("3");

        sut.Rollback();
        sut.Rollback();

        Assert.Equal("1", sut.Production);
        Assert.Null(sut.FindRollbackTarget());
    }

    [Fact]
    public void Rollback_PreviousReleaseMarkedBad_SkipsIt()
    {
        _releases.AddRelease("1.3.0");
        _releases.AddRelease("1.4.0");
        _releases.AddRelease("1.5.0");
        var sut = _releases.CreateStore();
        sut.Promote("1.3.0");
        sut.Promote("1.4.0");
        sut.Promote("1.5.0");
        sut.MarkBad("1.4.0", "ReportingApi: TypeLoadException in Startup");

        var change = sut.Rollback();

        Assert.Equal("1.3.0", change.To);
        Assert.True(sut.IsBad("1.4.0"));
        Assert.Equal("ReportingApi: TypeLoadException in Startup", sut.GetBadReason("1.4.0"));
    }

    [Fact]
    public void Rollback_PreviousReleaseDeleted_SkipsIt()
    {
        _releases.AddRelease("1");
        var deleted = _releases.AddRelease("2");
        _releases.AddRelease("3");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.Promote("2");
        sut.Promote("3");
        Directory.Delete(deleted, recursive: true);

        Assert.Equal("1", sut.Rollback().To);
    }

    [Fact]
    public void Rollback_NoHistory_ThrowsAndLeavesProduction()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();
        sut.Promote("1");

        var exception = Assert.Throws<ReleaseStoreException>(() => sut.Rollback());

        Assert.Contains("nothing to roll back to", exception.Message, StringComparison.Ordinal);
        Assert.Equal("1", _releases.ReadProduction());
    }

    [Fact]
    public void Promote_BadRelease_RefusedUnlessAllowed()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();
        sut.MarkBad("1", "boom");

        Assert.Throws<ReleaseStoreException>(() => sut.Promote("1"));
        Assert.Null(_releases.ReadProduction());
        Assert.True(sut.Promote("1", allowBad: true).Changed);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("-rf")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("missing")]
    [InlineData("production")]
    [InlineData("history.log")]
    public void Promote_BadNameOrMissingVersion_ThrowsAndProductionUnchanged(string version)
    {
        _releases.AddRelease("1.0.0");
        var sut = _releases.CreateStore();
        sut.Promote("1.0.0");
        var entriesBefore = sut.History.ReadAll().Count;

        Assert.Throws<ReleaseStoreException>(() => sut.Promote(version));

        Assert.Equal("1.0.0", _releases.ReadProduction());
        Assert.Equal(entriesBefore, sut.History.ReadAll().Count);
    }

    [Fact]
    public void Promote_MissingVersion_MessageListsAvailableVersions()
    {
        _releases.AddRelease("1.0.0");
        var sut = _releases.CreateStore();

        var exception = Assert.Throws<ReleaseStoreException>(() => sut.Promote("9.9.9"));

        Assert.Contains("'9.9.9' not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains("available: 1.0.0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Promote_ProductionIsRealFolder_Refused()
    {
        _releases.AddRelease("1.0.0");
        Directory.CreateDirectory(_releases.ProductionLink);
        var sut = _releases.CreateStore();

        Assert.Throws<ReleaseStoreException>(() => sut.Promote("1.0.0"));
        Assert.True(Directory.Exists(_releases.ProductionLink));
    }

    [Fact]
    public void Promote_AlreadyProduction_NoChangeAndNoHistory()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();
        sut.Promote("1");

        var change = sut.Promote("1");

        Assert.False(change.Changed);
        Assert.Single(sut.History.ReadAll());
    }

    [Fact]
    public void ListVersions_MixedReleases_NewestFirstWithMarks()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(3));
        _releases.AddRelease("2", TimeSpan.FromDays(2));
        _releases.AddRelease("3", TimeSpan.FromDays(1));
        Directory.CreateDirectory(Path.Combine(_releases.Root, ".staging-4-abc"));
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.Promote("2");
        sut.MarkBad("3", "boom");

        var versions = sut.ListVersions();

        Assert.Equal(["3", "2", "1"], versions.Select(v => v.Version));
        Assert.Equal([false, true, false], versions.Select(v => v.IsProduction));
        Assert.Equal([false, false, true], versions.Select(v => v.IsRollbackTarget));
        Assert.Equal(["boom", null, null], versions.Select(v => v.BadReason));
    }

    [Fact]
    public void Prune_KeepOne_NeverDeletesProductionOrRollbackTarget()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(5));
        _releases.AddRelease("2", TimeSpan.FromDays(4));
        _releases.AddRelease("3", TimeSpan.FromDays(3));
        _releases.AddRelease("4", TimeSpan.FromDays(2));
        _releases.AddRelease("5", TimeSpan.FromDays(1));
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.Promote("2");

        var result = sut.Prune(keep: 1);

        Assert.Equal(["3", "4"], result.Deleted.Order(StringComparer.Ordinal));
        Assert.Equal(["1", "2", "5"], Directory.EnumerateDirectories(_releases.Root).Select(Path.GetFileName).Where(n => n != "production").Order(StringComparer.Ordinal));
        Assert.Equal("2", _releases.ReadProduction());
        Assert.Equal("1", sut.FindRollbackTarget());
    }

    [Fact]
    public void Prune_KeepZero_KeepsTheRunningCanary()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(3));
        _releases.AddRelease("2", TimeSpan.FromDays(2));
        _releases.AddRelease("3", TimeSpan.FromDays(1));
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.RecordCanary("3", 10, header: null);

        var result = sut.Prune(keep: 0);

        Assert.Equal(["2"], result.Deleted);
    }

    [Fact]
    public void ActiveCanary_EndsWithItsEndEntryOrAFlip()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        _releases.AddRelease("3");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.RecordCanary("2", 25, "X-Canary=1");
        var running = sut.ActiveCanary();
        sut.RecordCanaryEnd("2", "aborted: by a test");
        var afterEnd = sut.ActiveCanary();
        sut.RecordCanary("3", 5, header: null);
        sut.Promote("2");

        Assert.Equal(("2", 25.0, "X-Canary=1", "1"), (running?.To, running?.Share, running?.Header, running?.From));
        Assert.Null(afterEnd);
        Assert.Null(sut.ActiveCanary());
    }

    [Fact]
    public void Prune_KeepZero_KeepsOnlyProductionAndRollbackTarget()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(3));
        _releases.AddRelease("2", TimeSpan.FromDays(2));
        _releases.AddRelease("3", TimeSpan.FromDays(1));
        var sut = _releases.CreateStore();
        sut.Promote("2");
        sut.Promote("1");

        var result = sut.Prune(keep: 0);

        Assert.Equal(["3"], result.Deleted);
        Assert.Equal(["1", "2"], sut.ListVersions().Select(v => v.Version).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prune_DryRun_DeletesNothing()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(2));
        _releases.AddRelease("2", TimeSpan.FromDays(1));
        var sut = _releases.CreateStore();

        var result = sut.Prune(keep: 0, dryRun: true);

        Assert.Equal(2, result.Deleted.Count);
        Assert.Equal(2, sut.ListVersions().Count);
    }

    [Fact]
    public void BeginStaging_ExistingVersionWithoutOverwrite_Throws()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();

        var exception = Assert.Throws<ReleaseStoreException>(() => sut.BeginStaging("1", overwrite: false));

        Assert.Contains("--force", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BeginStaging_ProductionEvenWithOverwrite_Throws()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();
        sut.Promote("1");

        Assert.Throws<ReleaseStoreException>(() => sut.BeginStaging("1", overwrite: true));
    }

    [Fact]
    public void Commit_StagedRelease_AppearsUnderItsNameAndClearsBadMark()
    {
        var sut = _releases.CreateStore();
        sut.MarkBad("2", "old build was broken");
        using (var staging = sut.BeginStaging("2", overwrite: false))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "marker"), "x");
            Assert.False(Directory.Exists(Path.Combine(_releases.Root, "2")));

            staging.Commit();
        }

        Assert.True(File.Exists(Path.Combine(_releases.Root, "2", "marker")));
        Assert.False(sut.IsBad("2"));
        Assert.Equal(["2", "history.log"], _releases.Entries());
    }

    [Fact]
    public void Dispose_UncommittedStaging_LeavesNothingBehind()
    {
        var sut = _releases.CreateStore();

        using (var staging = sut.BeginStaging("2", overwrite: false))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "half-built"), "x");
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_releases.Root));
    }

    [Fact]
    public void Commit_OverwriteExistingRelease_ReplacesItAndLeavesNoTrash()
    {
        _releases.AddRelease("2");
        File.WriteAllText(Path.Combine(_releases.Root, "2", "old-only"), "old");
        var sut = _releases.CreateStore();

        using (var staging = sut.BeginStaging("2", overwrite: true))
        {
            File.WriteAllText(Path.Combine(staging.StagingPath, "marker"), "new");
            staging.Commit();
        }

        Assert.Equal("new", File.ReadAllText(Path.Combine(_releases.Root, "2", "marker")));
        Assert.False(File.Exists(Path.Combine(_releases.Root, "2", "old-only")));
        Assert.Equal(["2", "history.log"], _releases.Entries());
    }

    [Fact]
    public void Commit_OverwriteButNewReleaseCannotMoveIn_PutsTheOldReleaseBack()
    {
        _releases.AddRelease("2");
        File.WriteAllText(Path.Combine(_releases.Root, "2", "old-only"), "old");
        var sut = _releases.CreateStore();
        using var staging = sut.BeginStaging("2", overwrite: true);
        // The second move (staging -> 2) fails: its source is gone, as after a disk or permission fault mid-publish.
        Directory.Delete(staging.StagingPath, recursive: true);

        var exception = Assert.Throws<ReleaseStoreException>(staging.Commit);

        Assert.Contains("was put back unchanged", exception.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Combine(_releases.Root, "2", "old-only")));
        Assert.Equal(["2"], sut.ListVersions().Select(v => v.Version));
        Assert.DoesNotContain(Directory.EnumerateDirectories(_releases.Root), d => Path.GetFileName(d).StartsWith(ReleaseStore.TrashPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain(sut.History.ReadAll(), e => e.Action == ReleaseActions.Publish);
    }

    [Fact]
    public void Prune_OldRelease_LeavesItsNameByOneRenameBeforeAnythingIsDeleted()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(2));
        _releases.AddRelease("2", TimeSpan.FromDays(1));
        var sut = _releases.CreateStore();
        sut.Promote("2");
        var events = new ConcurrentQueue<FileSystemEventArgs>();
        using var watcher = new FileSystemWatcher(_releases.Root) { IncludeSubdirectories = false };
        watcher.Renamed += (_, e) => events.Enqueue(e);
        watcher.Deleted += (_, e) => events.Enqueue(e);
        watcher.EnableRaisingEvents = true;

        var result = sut.Prune(keep: 0);

        Assert.Equal(["1"], result.Deleted);
        // The first thing that happens to releases/1 is its rename to hidden trash: an interrupted prune can leave
        // trash behind, but never a half-deleted folder that still looks like release 1.
        static bool AboutRelease1(FileSystemEventArgs e) => e.Name == "1" || (e as RenamedEventArgs)?.OldName == "1";
        Assert.True(SpinWait.SpinUntil(() => events.Any(AboutRelease1), TimeSpan.FromSeconds(10)), "no file system event for releases/1");
        var first = events.First(AboutRelease1);
        var renamed = Assert.IsType<RenamedEventArgs>(first);
        Assert.StartsWith(ReleaseStore.TrashPrefix + "1-", renamed.Name, StringComparison.Ordinal);
        Assert.Equal(["2", "history.log", "production"], _releases.Entries());
    }

    [Fact]
    public void Prune_TrashLeftByAnInterruptedPrune_IsNotAReleaseAndIsDeletedNextTime()
    {
        _releases.AddRelease("1");
        var leftover = Path.Combine(_releases.Root, ReleaseStore.TrashPrefix + "0-0123456789abcdef");
        Directory.CreateDirectory(Path.Combine(leftover, "WebApp"));
        File.WriteAllText(Path.Combine(leftover, "WebApp", "WebApp.dll"), "half deleted");
        var sut = _releases.CreateStore();
        sut.Promote("1");

        Assert.Equal(["1"], sut.ListVersions().Select(v => v.Version));
        Assert.Throws<ReleaseStoreException>(() => sut.RequireExisting(Path.GetFileName(leftover)));
        var result = sut.Prune(keep: 5);

        Assert.Empty(result.Deleted);
        Assert.Empty(result.NotDeleted);
        Assert.False(Directory.Exists(leftover));
        Assert.Equal("1", _releases.ReadProduction());
    }

    [Fact]
    public void Prune_DryRun_LeavesTrashAlone()
    {
        var leftover = Path.Combine(_releases.Root, ReleaseStore.TrashPrefix + "0-0123456789abcdef");
        Directory.CreateDirectory(leftover);
        var sut = _releases.CreateStore();

        sut.Prune(keep: 0, dryRun: true);

        Assert.True(Directory.Exists(leftover));
    }

    public void Dispose() => _releases.Dispose();
}

using System.Collections.Concurrent;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

/// <summary>Issue 12: commands that change the releases root run one at a time, and none of their history is lost.</summary>
public sealed class ReleaseStoreLockingTests : IDisposable
{
    private static readonly string[] Apps = ["ReportingApi", "WebApp"];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps(Apps);

    [Fact]
    public async Task Prune_WhileAPromoteHoldsTheLock_WaitsAndKeepsWhatThePromoteMadeProduction()
    {
        _releases.AddRelease("1", TimeSpan.FromHours(3));
        _releases.AddRelease("2", TimeSpan.FromHours(2));
        _releases.AddRelease("3", TimeSpan.FromHours(1));
        var sut = _releases.CreateStore();
        sut.Promote("1");

        Task<PruneResult> prune;
        using (ReleasesLock.Acquire(_releases.Root))
        {
            prune = Task.Run(() => _releases.CreateStore().Prune(keep: 0));
            // Prune must not get past the lock while another command holds it (a bounded look, not a wait for something).
            Assert.NotSame(prune, await Task.WhenAny(prune, Task.Delay(TimeSpan.FromMilliseconds(500))));
            // What the command holding the lock does: production moves to 2 (as a promote would, under the lock).
            SymlinkFlipper.Flip(_releases.ProductionLink, "2");
            sut.History.Append(new ReleaseHistoryEntry(_releases.Time.GetUtcNow(), ReleaseActions.Promote, "1", "2", "other"));
        }

        var result = await prune.WaitAsync(Bound);

        Assert.Equal(["3"], result.Deleted);
        Assert.True(Directory.Exists(_releases.ProductionLink), "production points at a deleted release");
        Assert.Equal("2", sut.Production);
        Assert.True(Directory.Exists(Path.Combine(_releases.Root, "1")), "the rollback target was deleted");
    }

    [Fact]
    public void Append_SixWritersAtOnce_NoEntryLost()
    {
        const int Writers = 6;
        const int EntriesEach = 100;
        var path = Path.Combine(_releases.Root, ReleaseStore.HistoryFileName);
        using var start = new Barrier(Writers);
        var threads = Enumerable.Range(0, Writers).Select(writer => new Thread(() =>
        {
            var history = new ReleaseHistory(path);
            start.SignalAndWait();
            for (var i = 0; i < EntriesEach; i++)
            {
                history.Append(new ReleaseHistoryEntry(DateTimeOffset.UnixEpoch, ReleaseActions.Publish, null, $"w{writer}-{i}", "tester"));
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var entries = new ReleaseHistory(path).ReadAll();
        Assert.Equal(Writers * EntriesEach, entries.Select(e => e.To).Distinct().Count());
    }

    [Fact]
    public void Promote_SixStoresAtOnce_EveryChangeRecordedAndLastEntryIsProduction()
    {
        foreach (var version in new[] { "a", "b", "c" })
        {
            _releases.AddRelease(version);
        }

        var changes = new ConcurrentBag<ReleaseChange>();
        using var start = new Barrier(6);
        var threads = Enumerable.Range(0, 6).Select(worker => new Thread(() =>
        {
            var store = _releases.CreateStore();
            start.SignalAndWait();
            for (var i = 0; i < 40; i++)
            {
                changes.Add(store.Promote(new[] { "a", "b", "c" }[(worker + i) % 3]));
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var sut = _releases.CreateStore();
        var flips = sut.History.ReadAll().Where(e => e.Action == ReleaseActions.Promote).ToList();
        Assert.Equal(changes.Count(c => c.Changed), flips.Count);
        Assert.Equal(sut.Production, flips[^1].To);
        // Each entry starts where the one before it ended: no flip went unrecorded or was recorded out of order.
        Assert.All(flips.Zip(flips.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
    }

    [Fact]
    public void Promote_KilledFlipLeftATemporaryLink_NextPromoteDeletesIt()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        // What a flip killed between creating its temporary link and renaming it over production leaves behind.
        var stale = Path.Combine(_releases.Root, ".production.0123456789abcdef0123456789abcdef.tmp");
        File.CreateSymbolicLink(stale, "2");

        sut.Promote("2");

        Assert.False(File.Exists(stale) || new FileInfo(stale).LinkTarget is not null, $"{stale} is still there");
        Assert.Equal(["1", "2", ReleaseStore.HistoryFileName, "production"],
            _releases.Entries());
    }

    [Fact]
    public void Promote_AfterAPromoteKilledBetweenItsEntryAndTheFlip_HistoryRecordsItAndRollbackIgnoresIt()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        _releases.AddRelease("3");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        // What a promote to 2 killed after writing its entry, before renaming the link, leaves: the entry alone.
        sut.History.Append(new ReleaseHistoryEntry(_releases.Time.GetUtcNow(), ReleaseActions.Promote, "1", "2", "killed"));

        sut.Promote("3");

        var entries = sut.History.ReadAll();
        Assert.Equal((ReleaseActions.Interrupted, "2", "1"), (entries[^2].Action, entries[^2].From, entries[^2].To));
        Assert.Equal((ReleaseActions.Promote, "1", "3"), (entries[^1].Action, entries[^1].From, entries[^1].To));
        Assert.Equal("1", sut.FindRollbackTarget());
        sut.Rollback();
        // 2 never was production: there is nothing further back.
        Assert.Null(sut.FindRollbackTarget());
    }

    [Fact]
    public void Promote_VersionFolderIsASymlinkOutsideTheRoot_RefusedNamingIt()
    {
        var outside = Directory.CreateTempSubdirectory("pluginhost-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_releases.Root, "9"), outside);
            var sut = _releases.CreateStore();

            var error = Assert.Throws<ReleaseStoreException>(() => sut.Promote("9"));

            Assert.Contains("symlink", error.Message, StringComparison.Ordinal);
            Assert.Contains(outside, error.Message, StringComparison.Ordinal);
            Assert.Null(_releases.ReadProduction());
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Fact]
    public void ServesFromRoot_ProductionLeadsOutsideTheRoot_FalseAndReportsTheTarget()
    {
        var outside = Directory.CreateTempSubdirectory("pluginhost-outside-").FullName;
        try
        {
            var version = Path.GetFileName(outside);
            _releases.AddRelease(version);
            File.CreateSymbolicLink(_releases.ProductionLink, outside);
            var sut = _releases.CreateStore();

            Assert.False(sut.ServesFromRoot(version));
            Assert.Equal(outside, sut.ProductionOutsideRootTarget());
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Theory]
    [InlineData("reload.trigger")]
    [InlineData("history.log")]
    [InlineData("production")]
    [InlineData("Production")]
    public void GetVersionPath_NameTheHostUsesInTheRoot_Refused(string name)
    {
        var sut = _releases.CreateStore();

        var error = Assert.Throws<ReleaseStoreException>(() => sut.BeginStaging(name, overwrite: false));

        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(_releases.Root, name)));
    }

    [Fact]
    public void For_ConfiguredTriggerInTheRoot_ItsNameIsReserved()
    {
        var config = _releases.Config with { Reload = _releases.Config.Reload with { Trigger = Path.Combine(_releases.Root, "deploy.now") } };
        var sut = ReleaseStore.For(config);

        Assert.Throws<ReleaseStoreException>(() => sut.GetVersionPath("deploy.now"));
    }

    [Fact]
    public void ClearBadMark_MarkedReleaseLoadedLater_NoLongerBad()
    {
        _releases.AddRelease("1");
        var sut = _releases.CreateStore();
        sut.Promote("1");
        sut.MarkBad("1", "app 'A': a.dll: assembly not found");

        Assert.True(sut.ClearBadMark("1", "loaded"));

        Assert.False(sut.IsBad("1"));
        Assert.False(sut.ClearBadMark("1", "loaded"));
        Assert.Equal(ReleaseActions.Cleared, sut.History.ReadAll()[^1].Action);
    }

    public void Dispose() => _releases.Dispose();
}

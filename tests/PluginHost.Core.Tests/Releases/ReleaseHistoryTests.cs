using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class ReleaseHistoryTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new();

    [Fact]
    public void ReadAll_AfterAppends_ReturnsEntriesInOrder()
    {
        var sut = new ReleaseHistory(Path.Combine(_releases.Root, "history.log"));
        var time = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);

        sut.Append(new ReleaseHistoryEntry(time, ReleaseActions.Promote, null, "1.0.0", "alice"));
        sut.Append(new ReleaseHistoryEntry(time.AddMinutes(1), ReleaseActions.MarkBad, null, "1.0.0", "host", "ThrowsOnConfigure: boom\nsecond line"));

        var entries = sut.ReadAll();
        Assert.Equal(2, entries.Count);
        Assert.Equal(new ReleaseHistoryEntry(time, ReleaseActions.Promote, null, "1.0.0", "alice"), entries[0]);
        Assert.Equal("ThrowsOnConfigure: boom\nsecond line", entries[1].Reason);
        Assert.Equal(2, File.ReadAllLines(sut.FilePath).Length);
        Assert.Contains("\"time\":\"2030-05-06T07:08:09+00:00\"", File.ReadAllText(sut.FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Append_AfterTornLine_StartsNewLineAndSkipsFragment()
    {
        var sut = new ReleaseHistory(Path.Combine(_releases.Root, "history.log"));
        File.WriteAllText(sut.FilePath, "{\"time\":\"2030-01-01T00:00:00Z\",\"act");

        sut.Append(new ReleaseHistoryEntry(DateTimeOffset.UnixEpoch, ReleaseActions.Rollback, "2", "1", "bob"));

        var entry = Assert.Single(sut.ReadAll());
        Assert.Equal("bob", entry.User);
        Assert.Equal(1, sut.SkippedLines);
    }

    [Fact]
    public void ReadAll_NoFile_Empty() => Assert.Empty(new ReleaseHistory(Path.Combine(_releases.Root, "history.log")).ReadAll());

    public void Dispose() => _releases.Dispose();
}

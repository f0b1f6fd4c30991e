using System.Globalization;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Status;

/// <summary>What the releases root shows: the version folders (production and bad ones marked) and the latest history entries.</summary>
/// <param name="PromotedAt">When the production link was last replaced (its own modification time), when known.</param>
/// <param name="LogTail">The latest history entries, oldest first, one readable line each.</param>
public sealed record ReleaseOverview(IReadOnlyList<ReleaseInfo> Releases, string? Production, DateTimeOffset? PromotedAt, IReadOnlyList<string> LogTail)
{
    /// <summary>Reads the releases root through <see cref="ReleaseStore"/>. Never throws: the page shows what it can.</summary>
    public static ReleaseOverview Read(string root, string productionName, int historyLines = 20)
    {
        try
        {
            var store = new ReleaseStore(root, productionName);
            var link = new FileInfo(store.ProductionLinkPath);
            var tail = store.History.ReadAll().TakeLast(historyLines).Select(Describe).ToList();
            return new ReleaseOverview(store.ListVersions(), store.Production, link.LinkTarget is null ? null : link.LastWriteTimeUtc, tail);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReleaseStoreException)
        {
            return new ReleaseOverview([], null, null, []);
        }
    }

    private static string Describe(ReleaseHistoryEntry entry) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{entry.Time:yyyy-MM-dd HH:mm:ss} {entry.Action,-8} {entry.From ?? "-"} -> {entry.To ?? "-"} by {entry.User}{(entry.Reason is null ? "" : ": " + entry.Reason)}");
}

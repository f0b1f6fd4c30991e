using System.CommandLine;
using System.Globalization;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>'releases': lists the version folders (production, rollback target and bad marks) and the recent history.</summary>
internal static class ReleasesVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var historyCount = new Option<int>("--history")
        {
            Description = "How many history entries to show",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("releases", "List releases, newest first, marking production, the rollback target and bad releases") { historyCount };
        CliAction.Set(command, services, config, async context =>
        {
            var store = context.OpenStore(context.LoadConfig());
            var output = context.Out;
            var versions = store.ListVersions();
            if (versions.Count == 0)
            {
                await output.WriteLineAsync($"no releases in {store.Root} yet ('pluginhost publish <version>' builds one)").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"releases in {store.Root} (newest first):").ConfigureAwait(false);
                var width = versions.Max(v => v.Version.Length);
                var canary = store.ActiveCanary();
                foreach (var release in versions)
                {
                    await output.WriteLineAsync(FormatRelease(release, width, canary?.To == release.Version ? canary : null)).ConfigureAwait(false);
                }
            }

            if (store.Production is { } production && versions.All(v => v.Version != production))
            {
                await output.WriteLineAsync($"warning: {store.ProductionLinkPath} points at '{production}', which is not a release folder").ConfigureAwait(false);
            }

            var history = store.History.ReadAll();
            var shown = history.TakeLast(Math.Max(0, context.GetValue(historyCount))).ToList();
            if (shown.Count > 0)
            {
                await output.WriteLineAsync($"history ({shown.Count} of {history.Count}, {store.History.FilePath}):").ConfigureAwait(false);
                foreach (var entry in shown)
                {
                    await output.WriteLineAsync(FormatEntry(entry)).ConfigureAwait(false);
                }
            }

            return CliAction.Ok;
        });
        return command;
    }

    /// <param name="canary">The history's entry of the canary running with this release, if any.</param>
    private static string FormatRelease(ReleaseInfo release, int width, ReleaseHistoryEntry? canary)
    {
        var marks = new List<string>();
        if (release.IsProduction)
        {
            marks.Add("production");
        }

        if (canary is not null)
        {
            marks.Add($"canary ({Percentage.Format(canary.Share ?? 0)} of clients)");
        }

        if (release.IsRollbackTarget)
        {
            marks.Add("rollback target");
        }

        if (release.BadReason is { } reason)
        {
            marks.Add($"BAD: {reason}");
        }

        var time = release.LastUsed.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
        return $"{(release.IsProduction ? "*" : " ")} {release.Version.PadRight(width)}  {time}  {string.Join(", ", marks)}".TrimEnd();
    }

    private static string FormatEntry(ReleaseHistoryEntry entry)
    {
        var time = entry.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var what = entry.Action switch
        {
            ReleaseActions.Promote or ReleaseActions.Rollback => $"{entry.From ?? "(none)"} -> {entry.To}",
            ReleaseActions.Interrupted => $"{entry.From} never served; production stayed {entry.To}",
            ReleaseActions.MarkBad or ReleaseActions.CanaryEnd => $"{entry.To}: {entry.Reason}",
            ReleaseActions.Canary => $"{entry.To} to {Percentage.Format(entry.Share ?? 0)} of clients besides {entry.From ?? "(none)"}"
                + (entry.Header is { } header ? $", and requests with {header}" : ""),
            _ => entry.To ?? "",
        };
        return $"  {time}  {entry.Action,-8}  {what}  ({entry.User})";
    }
}

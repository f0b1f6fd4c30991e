using System.CommandLine;

namespace PluginHost.Cli;

/// <summary>
/// 'prune --keep N': deletes old releases, never production nor the rollback target. Each goes by one rename to a
/// hidden .trash-* folder first, so an interrupted prune never leaves a half-deleted release behind.
/// </summary>
internal static class PruneVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var keep = new Option<int>("--keep")
        {
            Description = "How many of the newest releases to keep (production and the rollback target are always kept)",
            HelpName = "N",
            Required = true,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print what would be deleted" };
        var command = new Command("prune", "Delete old releases, keeping the N newest plus production and the rollback target") { keep, dryRun };
        CliAction.Set(command, services, config, async context =>
        {
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            var isDryRun = context.GetValue(dryRun);
            var result = store.Prune(context.GetValue(keep), isDryRun);
            var verb = isDryRun ? "would delete" : "deleted";
            await context.Out.WriteLineAsync(result.Deleted.Count == 0
                ? "nothing to prune"
                : $"{verb}: {string.Join(", ", result.Deleted)}").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"kept: {(result.Kept.Count == 0 ? "(none)" : string.Join(", ", result.Kept))}").ConfigureAwait(false);
            foreach (var leftover in result.NotDeleted)
            {
                await context.Error.WriteLineAsync($"warning: could not delete {leftover} entirely (hidden, no longer a release); the next prune tries again").ConfigureAwait(false);
            }
            return CliAction.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>'promote VERSION': validates the release, then points production at it atomically.</summary>
internal static class PromoteVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var version = CliApp.VersionArgument("The release to serve");
        var noValidate = CliApp.NoValidateOption();
        var force = CliApp.ForceBadOption();
        var command = new Command("promote", "Validate a release, then flip the production symlink to it atomically") { version, noValidate, force };
        CliAction.Set(command, services, config, async context =>
        {
            var name = VersionName.Require(context.GetValue(version));
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            var before = store.Production;
            if (context.GetValue(noValidate))
            {
                store.RequireExisting(name);
                context.WarnNoValidate(name);
            }
            else
            {
                await context.ValidateOrThrowAsync(hostConfig, store, name, "promote").ConfigureAwait(false);
            }

            var change = store.Promote(name, allowBad: context.GetValue(force), expectedFrom: before ?? "");
            await Report(context, change, hostConfig.Reload.Trigger).ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }

    /// <summary>Prints the outcome of a promote or rollback.</summary>
    public static async Task Report(CliContext context, ReleaseChange change, string trigger)
    {
        if (change.ChangedMeanwhile)
        {
            // Two promotes (or a promote and a rollback) at once: both succeed one after the other, and the one that
            // ran first must not pass for the final state without a word.
            await context.Error.WriteLineAsync(
                $"warning: production changed while this command ran (another promote or rollback): it was '{change.From ?? "(none)"}' at the flip, not what it was at the start").ConfigureAwait(false);
        }

        if (!change.Changed)
        {
            await context.Out.WriteLineAsync($"'{change.To}' already is production; nothing changed").ConfigureAwait(false);
            return;
        }

        await context.Out.WriteLineAsync($"production: {change.From ?? "(none)"} -> {change.To}").ConfigureAwait(false);
        await context.Out.WriteLineAsync("a running host picks the new symlink target up by itself within reload.pollInterval").ConfigureAwait(false);
    }
}

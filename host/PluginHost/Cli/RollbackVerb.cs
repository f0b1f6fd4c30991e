using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>
/// 'rollback [--to VERSION]': back to the previous production that still exists and is not marked bad. During a canary (and
/// without --to) it aborts the canary instead: everyone gets production again, the link is not touched.
/// </summary>
internal static class RollbackVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var to = new Option<string?>("--to")
        {
            Description = "Roll back to this release instead of the previous production",
            HelpName = "version",
        };
        var noValidate = CliApp.NoValidateOption();
        var force = CliApp.ForceBadOption();
        var command = new Command("rollback", "Flip production back to the previous good release (skips releases marked bad)") { to, noValidate, force };
        CliAction.Set(command, services, config, async context =>
        {
            var requested = context.GetValue(to) is { } explicitTarget ? VersionName.Require(explicitTarget) : null;
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            if (requested is null && CanaryCommands.Running(store) is { } canary)
            {
                // During a canary, "back" is production itself: the canary ends, the link stays.
                return await CanaryCommands.AbortAsync(context, hostConfig, store, canary).ConfigureAwait(false);
            }

            var before = store.Production;
            var target = requested ?? store.FindRollbackTarget()
                ?? throw new CliUserException(
                    $"nothing to roll back to: {store.History.FilePath} has no earlier production that still exists and is not marked bad; use 'rollback --to <version>'");

            await PromoteVerb.ValidateUnlessWarmAsync(context, hostConfig, store, target, context.GetValue(noValidate), "rollback").ConfigureAwait(false);

            var change = store.Rollback(target, allowBad: context.GetValue(force), expectedFrom: before ?? "");
            await PromoteVerb.Report(context, change, hostConfig.Reload.Trigger).ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }
}

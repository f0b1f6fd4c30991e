using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>'validate VERSION': checks a release as a promote would, without changing anything.</summary>
internal static class ValidateVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var version = CliApp.VersionArgument("The release to check (a folder in the releases root)");
        var command = new Command("validate", "Check that every configured app of a release is present and loads; production is not touched") { version };
        CliAction.Set(command, services, config, async context =>
        {
            var name = VersionName.Require(context.GetValue(version));
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            if (store.ProductionOutsideRootTarget() is { } outside)
            {
                await context.Error.WriteLineAsync(
                    $"warning: {store.ProductionLinkPath} leads to {outside}, outside the releases root {store.Root}: the host serves it, but promote, rollback and bad marks only know the releases inside the root").ConfigureAwait(false);
            }

            await context.ValidateOrThrowAsync(hostConfig, store, name, "validate").ConfigureAwait(false);
            var apps = string.Join(", ", hostConfig.Apps.Select(a => a.Name));
            await context.Out.WriteLineAsync($"release '{name}' is valid ({hostConfig.Apps.Count} apps: {apps})").ConfigureAwait(false);
            var plan = await HostPlan.AskAsync(context, hostConfig, name).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"on promote: {plan.Description}").ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>
/// 'promote VERSION': validates the release, then points production at it atomically. 'promote VERSION --prepare' asks the
/// running host to build and warm it without serving it (the later promote then swaps instantly, and needs no validation
/// of its own: the host's build was one).
/// </summary>
internal static class PromoteVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var version = CliApp.VersionArgument("The release to serve");
        var noValidate = CliApp.NoValidateOption();
        var force = CliApp.ForceBadOption();
        var prepare = new Option<bool>("--prepare")
        {
            Description = "Do not flip: ask the running host to build and warm the release now, so that the promote later swaps instantly",
        };
        var command = new Command("promote", "Validate a release, then flip the production symlink to it atomically") { version, noValidate, force, prepare };
        CliAction.Set(command, services, config, async context =>
        {
            var name = VersionName.Require(context.GetValue(version));
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            if (context.GetValue(prepare))
            {
                return await PrepareAsync(context, hostConfig, store, name).ConfigureAwait(false);
            }

            var before = store.Production;
            await ValidateUnlessWarmAsync(context, hostConfig, store, name, context.GetValue(noValidate), "promote").ConfigureAwait(false);

            var change = store.Promote(name, allowBad: context.GetValue(force), expectedFrom: before ?? "");
            await Report(context, change, hostConfig.Reload.Trigger).ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }

    /// <summary>
    /// Validates <paramref name="name"/> before a flip, unless --no-validate, or the running host holds it warm and unchanged
    /// (it loaded, warmed up and served or was prepared there: a throwaway load would only repeat that).
    /// </summary>
    public static async Task ValidateUnlessWarmAsync(CliContext context, Core.Configuration.HostConfig hostConfig, ReleaseStore store, string name, bool noValidate, string verb)
    {
        if (noValidate)
        {
            store.RequireExisting(name);
            context.WarnNoValidate(name);
            return;
        }

        store.RequireExisting(name);
        var plan = await HostPlan.AskAsync(context, hostConfig, name).ConfigureAwait(false);
        if (plan.Warm)
        {
            await context.Out.WriteLineAsync($"not validated again: {plan.Description}").ConfigureAwait(false);
            return;
        }

        await context.ValidateOrThrowAsync(hostConfig, store, name, verb).ConfigureAwait(false);
    }

    /// <summary>'promote --prepare': the running host builds the release as a prepared generation; production is not touched.</summary>
    private static async Task<int> PrepareAsync(CliContext context, Core.Configuration.HostConfig hostConfig, ReleaseStore store, string name)
    {
        store.RequireExisting(name);
        var url = StatusVerb.AdminUrl(hostConfig, "prepare?version=" + Uri.EscapeDataString(name));
        var (_, body) = await StatusVerb.AdminRequestAsync(context, hostConfig, HttpMethod.Post, url, TimeSpan.FromMinutes(2),
            System.Net.HttpStatusCode.UnprocessableEntity, System.Net.HttpStatusCode.BadRequest).ConfigureAwait(false);
        var result = System.Text.Json.JsonSerializer.Deserialize(body, Core.Status.StatusJsonContext.Default.ReloadResult);
        if (result is not { Ok: true })
        {
            throw new CliUserException($"prepare of '{name}' failed; production unchanged: {result?.Error ?? body}");
        }

        var how = result.Swap == Core.Reloading.SwapKinds.Built ? $"built and warmed up in {result.DurationMs} ms" : "already held warm";
        await context.Out.WriteLineAsync($"prepared: '{name}' generation {result.Generation} ({how}); 'pluginhost promote {name}' now swaps to it instantly").ConfigureAwait(false);
        return CliAction.Ok;
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

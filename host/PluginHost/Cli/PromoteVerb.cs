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
        var version = CliApp.VersionArgument("The release to serve (not with --finish)");
        version.Arity = System.CommandLine.ArgumentArity.ZeroOrOne;
        var noValidate = CliApp.NoValidateOption();
        var force = CliApp.ForceBadOption();
        var prepare = new Option<bool>("--prepare")
        {
            Description = "Do not flip: ask the running host to build and warm the release now, so that the promote later swaps instantly",
        };
        var canary = new Option<string?>("--canary")
        {
            Description = "Do not flip: ask the running host to serve the release to this share of new clients (e.g. 10%), sticky per client, besides production",
            HelpName = "share",
        };
        var canaryHeader = new Option<string?>("--canary-header")
        {
            Description = "With --canary: requests with this header (and value, when given) always get the canary",
            HelpName = "NAME[=VALUE]",
        };
        var finish = new Option<bool>("--finish")
        {
            Description = "Complete the running canary: promote its release (the host swaps its canary generation in instantly)",
        };
        var command = new Command("promote", "Validate a release, then flip the production symlink to it atomically")
        {
            version, noValidate, force, prepare, canary, canaryHeader, finish,
        };
        CliAction.Set(command, services, config, async context =>
        {
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            var name = Target(context.GetValue(version), context.GetValue(finish), store);
            if (context.GetValue(canaryHeader) is not null && context.GetValue(canary) is null)
            {
                throw new CliUserException("--canary-header needs --canary SHARE");
            }

            if (context.GetValue(canary) is { } share)
            {
                return await CanaryCommands.StartAsync(context, hostConfig, store, name, share, context.GetValue(canaryHeader)).ConfigureAwait(false);
            }

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

    /// <summary>The version named, or with --finish the running canary's; one line naming the cause otherwise.</summary>
    private static string Target(string? named, bool finish, ReleaseStore store)
    {
        if (!finish)
        {
            return VersionName.Require(named ?? throw new CliUserException("promote needs a version (or --finish to complete the running canary)"));
        }

        var canary = CanaryCommands.Running(store)
            ?? throw new CliUserException($"promote --finish: no canary is running ({store.History.FilePath} records none); nothing to finish");
        if (named is not null && named != canary)
        {
            throw new CliUserException($"promote --finish: the running canary is '{canary}', not '{named}'");
        }

        return canary;
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

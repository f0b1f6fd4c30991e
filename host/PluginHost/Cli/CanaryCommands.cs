using System.Net;
using System.Text.Json;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;
using PluginHost.Core.Routing;
using PluginHost.Core.Status;

namespace PluginHost.Cli;

/// <summary>
/// The canary side of 'promote' and 'rollback': the running host starts and aborts canaries (it holds the generations), so
/// these ask its admin surface; production is not touched.
/// </summary>
internal static class CanaryCommands
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>'promote V --canary SHARE [--canary-header NAME[=VALUE]]'.</summary>
    public static async Task<int> StartAsync(CliContext context, HostConfig config, ReleaseStore store, string version, string shareText, string? headerText)
    {
        if (!Percentage.TryParse(shareText, out var share))
        {
            throw new CliUserException($"--canary '{shareText}' is not a share such as 10%");
        }

        CanaryHeader? header;
        try
        {
            CanaryTarget.RequireShare(share);
            header = CanaryHeader.ParseOptional(headerText);
        }
        catch (ArgumentException ex)
        {
            throw new CliUserException(ex.Message);
        }

        store.RequireExisting(version);
        if (store.Production == version)
        {
            throw new CliUserException($"'{version}' is production already (served to everyone); a canary needs another release");
        }

        var query = $"canary?version={Uri.EscapeDataString(version)}&share={share.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            + (header is null ? "" : "&header=" + Uri.EscapeDataString(header.ToString()));
        var result = await AskAsync(context, config, query, StartTimeout);
        var how = result.Swap == SwapKinds.Built ? $"built and warmed up in {result.DurationMs} ms" : $"taken warm ({result.Swap})";
        var forced = header is null ? "" : $" and every request with header {header}";
        await context.Out.WriteLineAsync(
            $"canary: '{version}' generation {result.Generation} serves {Percentage.Format(share)} of new clients{forced} ({how}); production stays '{store.Production}'").ConfigureAwait(false);
        await context.Out.WriteLineAsync($"'pluginhost promote {version}' (or 'promote --finish') completes the rollout, 'pluginhost rollback' aborts it").ConfigureAwait(false);
        return CliAction.Ok;
    }

    /// <summary>'rollback' during a canary: the host ends the canary; production is not touched.</summary>
    public static async Task<int> AbortAsync(CliContext context, HostConfig config, ReleaseStore store, string version)
    {
        ReloadResult result;
        try
        {
            result = await AskAsync(context, config, "canary/abort?by=rollback", TimeSpan.FromSeconds(30));
        }
        catch (CliUserException ex)
        {
            throw new CliUserException($"{ex.Message}; the canary of '{version}' recorded in {store.History.FilePath} was not aborted (a host started now resumes it; 'promote' or 'rollback --to' ends it)");
        }

        await context.Out.WriteLineAsync($"canary of '{version}' aborted: production '{result.Version}' serves everyone; the production link was not touched").ConfigureAwait(false);
        return CliAction.Ok;
    }

    /// <summary>The canary the release history records as running, or null.</summary>
    public static string? Running(ReleaseStore store) => store.ActiveCanary()?.To;

    private static async Task<ReloadResult> AskAsync(CliContext context, HostConfig config, string relative, TimeSpan timeout)
    {
        var url = StatusVerb.AdminUrl(config, relative);
        var (_, body) = await StatusVerb.AdminRequestAsync(context, config, HttpMethod.Post, url, timeout,
            HttpStatusCode.UnprocessableEntity, HttpStatusCode.BadRequest, HttpStatusCode.Conflict, HttpStatusCode.InternalServerError).ConfigureAwait(false);
        var result = JsonSerializer.Deserialize(body, StatusJsonContext.Default.ReloadResult);
        return result is { Ok: true } ? result : throw new CliUserException(result?.Error ?? body);
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;
using PluginHost.Core.Routing;
using PluginHost.Core.Status;

namespace PluginHost.Core.Admin;

/// <summary>
/// The admin surface's deploy actions: <c>POST prepare?version=V</c> (build and warm V without serving it),
/// <c>POST rollback[?to=V]</c> (flip production back as 'pluginhost rollback' does, then reload at once: instant when the
/// target is the warm standby; during a canary it aborts the canary instead), and <c>POST canary</c>, <c>canary/finish</c>,
/// <c>canary/abort</c>. Each answers with the reload result: 200 when it worked, 422 (prepare) or 500 (the reload
/// after a rollback) when it failed, 409 when the releases root refused the rollback.
/// </summary>
public sealed class DeployEndpoints(ReloadCoordinator coordinator)
{
    public async Task PrepareAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var version = context.Request.Query["version"].ToString();
        if (!VersionName.IsValid(version))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest,
                $"prepare needs ?version=<a release of {coordinator.Config.Releases.Root}>; got '{version}'");
            return;
        }

        var result = await coordinator.PrepareAsync(version, context.RequestAborted);
        await AnswerAsync(context, result, StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary><c>POST canary?version=V&amp;share=10[&amp;header=NAME[=VALUE]]</c>: serve V to a share of clients besides production.</summary>
    public async Task CanaryAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CanaryRequest request;
        try
        {
            request = ReadCanaryRequest(context.Request.Query);
        }
        catch (ArgumentException ex)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        var result = await coordinator.StartCanaryAsync(request, $"canary {request.Version}", context.RequestAborted);
        await AnswerAsync(context, result, StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary><c>POST canary/finish</c>: flip production to the canary's release (as 'promote' does), then swap it in at once.</summary>
    public async Task FinishCanaryAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ReleaseChange change;
        long flippedSince;
        try
        {
            var version = coordinator.Canary?.Target.Version ?? throw new ReleaseStoreException("no canary is running: nothing to finish");
            var store = ReleaseStore.For(coordinator.Config, userName: "admin API");
            flippedSince = coordinator.BeforeFlip();
            change = store.Promote(version, expectedFrom: store.Production ?? "");
        }
        catch (Exception ex) when (ex is ReleaseStoreException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, ex.Message);
            return;
        }

        var result = await coordinator.ReloadAsync(
            new ReloadRequest($"admin canary finish {change.From ?? "(none)"} -> {change.To}") { FlippedSince = flippedSince }, context.RequestAborted);
        await AnswerAsync(context, result, StatusCodes.Status500InternalServerError);
    }

    /// <summary><c>POST canary/abort</c>: everyone back on production at once; the link is not touched.</summary>
    public async Task AbortCanaryAsync(HttpContext context, string by)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await coordinator.AbortCanaryAsync($"by {by}") is { } result)
        {
            await AnswerAsync(context, result, StatusCodes.Status500InternalServerError);
            return;
        }

        await RefuseAsync(context, StatusCodes.Status409Conflict, "no canary is running: nothing to abort");
    }

    public async Task RollbackAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var to = context.Request.Query["to"].ToString() is { Length: > 0 } named ? named : null;
        if (to is null && coordinator.Canary is not null)
        {
            // During a canary, rollback means "back to what production serves": the canary ends, production stays.
            await AbortCanaryAsync(context, "rollback (admin API)");
            return;
        }

        ReleaseChange change;
        long flippedSince;
        try
        {
            var store = ReleaseStore.For(coordinator.Config, userName: "admin API");
            flippedSince = coordinator.BeforeFlip();
            change = store.Rollback(to is null ? null : VersionName.Require(to), expectedFrom: store.Production ?? "");
        }
        catch (Exception ex) when (ex is ReleaseStoreException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, ex.Message);
            return;
        }

        var result = await coordinator.ReloadAsync(
            new ReloadRequest($"admin rollback {change.From ?? "(none)"} -> {change.To}") { FlippedSince = flippedSince }, context.RequestAborted);
        await AnswerAsync(context, result, StatusCodes.Status500InternalServerError);
    }

    private CanaryRequest ReadCanaryRequest(IQueryCollection query)
    {
        var version = query["version"].ToString();
        if (!VersionName.IsValid(version))
        {
            throw new ArgumentException($"canary needs ?version=<a release of {coordinator.Config.Releases.Root}>; got '{version}'");
        }

        var shareText = query["share"].ToString();
        if (!Percentage.TryParse(shareText, out var share))
        {
            throw new ArgumentException($"canary needs ?share=<1 to 99 percent>; got '{shareText}'");
        }

        CanaryTarget.RequireShare(share);
        return new CanaryRequest(version, share, CanaryHeader.ParseOptional(query["header"].ToString()));
    }

    private static async Task AnswerAsync(HttpContext context, ReloadResult result, int failure)
    {
        context.Response.StatusCode = result.Ok ? StatusCodes.Status200OK : failure;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, result, StatusJsonContext.Default.ReloadResult, context.RequestAborted);
    }

    private async Task RefuseAsync(HttpContext context, int status, string error)
    {
        var serving = coordinator.LastResult;
        await AnswerAsync(context, new ReloadResult(DateTimeOffset.UtcNow, context.Request.Path.Value ?? "", false, error, 0, serving?.Version, serving?.Generation), status);
    }
}

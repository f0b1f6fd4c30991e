using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PluginHost.Core.Releases;
using PluginHost.Core.Reloading;
using PluginHost.Core.Status;

namespace PluginHost.Core.Admin;

/// <summary>
/// The admin surface's deploy actions: <c>POST prepare?version=V</c> (build and warm V without serving it) and
/// <c>POST rollback[?to=V]</c> (flip production back as 'pluginhost rollback' does, then reload at once: instant when the
/// target is the warm standby). Each answers with the reload result: 200 when it worked, 422 (prepare) or 500 (the reload
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

    public async Task RollbackAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var to = context.Request.Query["to"].ToString() is { Length: > 0 } named ? named : null;
        ReleaseChange change;
        try
        {
            var store = ReleaseStore.For(coordinator.Config, userName: "admin API");
            change = store.Rollback(to is null ? null : VersionName.Require(to), expectedFrom: store.Production ?? "");
        }
        catch (Exception ex) when (ex is ReleaseStoreException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, ex.Message);
            return;
        }

        var result = await coordinator.ReloadAsync(new ReloadRequest($"admin rollback {change.From ?? "(none)"} -> {change.To}"), context.RequestAborted);
        await AnswerAsync(context, result, StatusCodes.Status500InternalServerError);
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

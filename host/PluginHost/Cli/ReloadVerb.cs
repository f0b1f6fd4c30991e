using System.CommandLine;
using System.Net;
using System.Text.Json;
using PluginHost.Core.Configuration;
using PluginHost.Core.Reloading;
using PluginHost.Core.Status;

namespace PluginHost.Cli;

/// <summary>
/// 'reload': touches the reload trigger file (creating it if missing) so the running host reloads; 'reload --wait' asks the
/// running host to reload now (POST {admin.path}/reload?wait=true) and exits 1 when that reload failed, so that
/// 'systemctl reload' (the unit's ExecReload) reports the failure.
/// </summary>
internal static class ReloadVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var wait = new Option<bool>("--wait")
        {
            Description = "Ask the running host (admin surface) to reload now, wait for the result and exit 1 if it failed",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "With --wait: seconds to wait for the reload",
            HelpName = "seconds",
            DefaultValueFactory = _ => 120,
        };
        var command = new Command("reload", "Touch the reload trigger: the running host loads the production release and config again") { wait, timeout };
        CliAction.Set(command, services, config, async context =>
        {
            var hostConfig = context.LoadConfig();
            if (context.GetValue(wait))
            {
                return await ReloadAndWaitAsync(context, hostConfig, TimeSpan.FromSeconds(Math.Max(0.1, context.GetValue(timeout)))).ConfigureAwait(false);
            }

            var trigger = Path.GetFullPath(hostConfig.Reload.Trigger, Path.GetDirectoryName(context.ConfigPath)!);
            var folder = Path.GetDirectoryName(trigger)!;
            if (!Directory.Exists(folder))
            {
                throw new CliUserException($"cannot touch {trigger}: folder {folder} does not exist (check reload.trigger in {context.ConfigPath})");
            }

            using (new FileStream(trigger, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }

            File.SetLastWriteTimeUtc(trigger, context.Services.TimeProvider.GetUtcNow().UtcDateTime);
            await context.Out.WriteLineAsync($"touched {trigger}; the running host reloads within about {hostConfig.Reload.PollInterval.TotalSeconds:0.#}s ('pluginhost status' shows the result)").ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }

    private static async Task<int> ReloadAndWaitAsync(CliContext context, HostConfig config, TimeSpan timeout)
    {
        var url = StatusVerb.AdminUrl(config, "reload?wait=true");
        var (_, body) = await StatusVerb.AdminRequestAsync(context, config, HttpMethod.Post, url, timeout, HttpStatusCode.InternalServerError).ConfigureAwait(false);
        ReloadResult? result;
        try
        {
            result = JsonSerializer.Deserialize(body, StatusJsonContext.Default.ReloadResult);
        }
        catch (JsonException exception)
        {
            throw new CliUserException($"{url} did not answer with a reload result ({exception.Message}); is the host older than this CLI?");
        }

        if (result is not { Ok: true })
        {
            throw new CliUserException($"reload failed; the previous generation keeps serving: {result?.Error ?? body}");
        }

        await context.Out.WriteLineAsync($"reloaded: serving {result.Version} generation {result.Generation} (built and swapped in {result.DurationMs} ms)").ConfigureAwait(false);
        return CliAction.Ok;
    }
}

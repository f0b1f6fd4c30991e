using System.CommandLine;

namespace PluginHost.Cli;

/// <summary>'reload': touches the reload trigger file (creating it if missing) so the running host reloads.</summary>
internal static class ReloadVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var command = new Command("reload", "Touch the reload trigger: the running host loads the production release and config again");
        CliAction.Set(command, services, config, async context =>
        {
            var hostConfig = context.LoadConfig();
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
}

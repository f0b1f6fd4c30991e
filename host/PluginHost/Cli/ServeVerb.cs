using System.CommandLine;
using PluginHost.Serving;

namespace PluginHost.Cli;

/// <summary>'serve': runs the host (<see cref="ServeCommand"/>); also what runs when no verb is given.</summary>
internal static class ServeVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var command = new Command("serve", "Run the host in the foreground until Ctrl+C or SIGTERM");
        Configure(command, services, config);
        return command;
    }

    public static void ConfigureRoot(RootCommand root, CliServices services, Option<string> config) => Configure(root, services, config);

    private static void Configure(Command command, CliServices services, Option<string> config)
    {
        var urls = new Option<string?>("--urls")
        {
            Description = "Listen URLs overriding server.urls, separated by ';' (e.g. http://0.0.0.0:8080;http://[::]:8080)",
            HelpName = "url[;url]",
        };
        command.Add(urls);
        CliAction.Set(command, services, config, context =>
        {
            var overrides = context.GetValue(urls)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return context.Services.Serve(context.ConfigPath, overrides is { Length: > 0 } ? overrides : null, context.CancellationToken);
        });
    }
}

using System.CommandLine;
using PluginHost.Cli;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Releases;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>Runs the real 'pluginhost' command line in-process, with the validators Program.cs wires, capturing its output.</summary>
public static class CliRunner
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(TempReleases releases, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(releases);
        var services = new CliServices
        {
            LoadConfig = ConfigLoader.Load,
            Validator = new CompositeReleaseValidator(new FileReleaseValidator(), new LoadingReleaseValidator()),
            CurrentDirectory = releases.Root,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build(services)
            .Parse([.. args, "--config", releases.ConfigPath])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}

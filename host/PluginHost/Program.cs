using PluginHost.Cli;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Releases;

namespace PluginHost;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            var services = new CliServices
            {
                LoadConfig = ConfigLoader.Load,
                Validator = new CompositeReleaseValidator(
                    new FileReleaseValidator(),
                    new LoadingReleaseValidator(options: new LoadingValidationOptions { Warning = message => Console.Error.WriteLine($"warning: {message}") })),
            };
            return await CliApp.Build(services).Parse(args).InvokeAsync();
        }
        catch (Exception exception)
        {
            await Console.Error.WriteLineAsync($"unexpected failure: {exception}");
            return 2;
        }
    }
}

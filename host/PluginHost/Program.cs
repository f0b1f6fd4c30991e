using PluginHost.Cli;
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
                LoadConfig = path => throw new NotSupportedException("config loading is not merged into this branch yet"), // TODO(merge config): LoadConfig = ConfigLoader.Load,
                Validator = new CompositeReleaseValidator(new FileReleaseValidator()), // TODO(engine): append the loader-based IReleaseValidator
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

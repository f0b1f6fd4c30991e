using System.CommandLine;
using PluginHost.Cli;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

/// <summary>Runs the real System.CommandLine root in-process against a <see cref="TempReleasesRoot"/>, capturing stdout and stderr.</summary>
internal sealed class CliHarness(TempReleasesRoot releases)
{
    public IReleaseValidator Validator { get; set; } = new FileReleaseValidator();

    public IProcessRunner ProcessRunner { get; set; } = Substitute.For<IProcessRunner>();

    public Func<HttpClient> CreateHttpClient { get; set; } = static () => new HttpClient();

    public List<(string ConfigPath, IReadOnlyList<string>? Urls)> ServeCalls { get; } = [];

    public string? Secret { get; set; }

    public string Out { get; private set; } = "";

    public string Error { get; private set; } = "";

    /// <summary>Invokes 'pluginhost ARGS --config &lt;temp config&gt;' and returns the exit code.</summary>
    public async Task<int> RunAsync(params string[] args)
    {
        var services = new CliServices
        {
            LoadConfig = _ => releases.Config,
            Validator = Validator,
            ProcessRunner = ProcessRunner,
            CreateHttpClient = CreateHttpClient,
            Serve = (config, urls, _) =>
            {
                ServeCalls.Add((config, urls));
                return Task.FromResult(0);
            },
            TimeProvider = releases.Time,
            UserName = "tester",
            ReadSecret = () => Secret,
            CurrentDirectory = releases.Folder,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build(services)
            .Parse(["--config", releases.ConfigPath, .. args])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Out = output.ToString();
        Error = error.ToString();
        return exitCode;
    }
}

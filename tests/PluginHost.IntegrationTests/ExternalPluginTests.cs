using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using PluginHost.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 13, plugins outside this repository: the contract packed into a local folder feed, a plugin created from the
/// 'dotnet new' template in a temp folder (its own tests run), and one release mixing it ('project') with this
/// repository's WebApp ('project') and a prebuilt ReportingApi ('from'), published and promoted with the real CLI and
/// served by the real host over HTTP. Every child is a real process; restore uses only the folder feed and the
/// machine's package folder (no network).
/// </summary>
public sealed class ExternalPluginTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);
    private readonly string _root = Directory.CreateTempSubdirectory("pluginhost-external-").FullName;

    private string Feed => Path.Combine(_root, "feed");
    private string Deployment => Path.Combine(_root, "deploy");
    private string ConfigPath => Path.Combine(Deployment, "config.yaml");
    private string Plugin => Path.Combine(_root, "src", "Acme.Greeter");

    [Fact]
    public async Task TemplatePlugin_PublishedWithSamplesFromProjectAndFolder_HostServesAllThree()
    {
        await PackContractAsync();
        await CreateFromTemplateAsync();
        WriteNuGetConfig();
        await RunAsync(ExternalCommand.Dotnet, ["test", Plugin, "--nologo"], Plugin);
        WriteConfig();

        var publish = await RunAsync(ExternalCommand.Dotnet, [HostProcess.HostAssembly, "publish", "v1", "--config", ConfigPath], Deployment);
        await RunAsync(ExternalCommand.Dotnet, [HostProcess.HostAssembly, "promote", "v1", "--config", ConfigPath], Deployment);
        using var host = HostProcess.Start(ConfigPath);
        await host.WaitUntilServingAsync("/greeter/hello");

        using var hello = JsonDocument.Parse(await host.Client.GetStringAsync("/greeter/hello"));
        using var version = JsonDocument.Parse(await host.Client.GetStringAsync("/api/v1/version"));
        using var page = await host.Client.GetAsync("/");
        Assert.Equal(("Hej", "Greeter", "v1", "/greeter"), (Text(hello, "greeting"), Text(hello, "app"), Text(hello, "version"), Text(hello, "mount")));
        Assert.Equal("v1", Text(version, "version"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Test site", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var release = Path.Combine(Deployment, "releases", "v1");
        Assert.Contains($"copying {RepoPaths.PluginBuild("ReportingApi")} -> ReportingApi/", publish, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(release, "Acme.Greeter", "Acme.Greeter.dll")));
        Assert.False(File.Exists(Path.Combine(release, "Acme.Greeter", "PluginHost.Abstractions.dll")), "the plugin ships no private copy of the contract");
        Assert.True(File.Exists(Path.Combine(release, "ReportingApi", "ReportingApi.Aggregation.dll")));
        Assert.Equal(["pluginhost.abstractions"], Directory.EnumerateDirectories(Path.Combine(_root, "packages")).Select(Path.GetFileName));
    }

    /// <summary>The template's projects ask for the contract version this repository packs (a bump must update both).</summary>
    [Fact]
    public void Template_ContractPackageVersion_IsTheContractVersion()
    {
        var contract = XDocument.Load(Path.Combine(RepoPaths.Root, "host", "PluginHost.Abstractions", "PluginHost.Abstractions.csproj"))
            .Descendants("Version").Single().Value;
        var template = XDocument.Load(Path.Combine(RepoPaths.Root, "templates", "PluginHost.Plugin", "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == "PluginHost.Abstractions").Attribute("Version")!.Value;

        Assert.Equal(contract, template);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException exception)
        {
            output.WriteLine($"could not delete {_root}: {exception.Message}");
        }
    }

    /// <summary>What the Pack task does (dotnet pack of the contract), into the test's own folder feed.</summary>
    private Task<string> PackContractAsync() =>
        RunAsync(ExternalCommand.Dotnet,
            ["pack", Path.Combine(RepoPaths.Root, "host", "PluginHost.Abstractions", "PluginHost.Abstractions.csproj"), "-c", BuildConfiguration, "--no-build", "-o", Feed, "--nologo"],
            RepoPaths.Root);

    /// <summary>'dotnet new install' into a hive of its own, so the user's template list is not touched.</summary>
    private async Task CreateFromTemplateAsync()
    {
        var hive = Path.Combine(_root, "hive");
        await RunAsync(ExternalCommand.Dotnet, ["new", "install", Path.Combine(RepoPaths.Root, "templates", "PluginHost.Plugin"), "--debug:custom-hive", hive], _root);
        await RunAsync(ExternalCommand.Dotnet, ["new", "pluginhost-plugin", "-n", "Acme.Greeter", "-o", Plugin, "--debug:custom-hive", hive], _root);
    }

    /// <summary>
    /// Beside everything the test creates: packages come from the folder feed only, into a packages folder of its own
    /// (the packed contract never lands in the machine's cache); what the template's tests use beyond the contract
    /// (xunit, the test SDK: this repository's versions) is found in the machine's package folder.
    /// </summary>
    private void WriteNuGetConfig()
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var config = new XElement("configuration",
            new XElement("config", Add("globalPackagesFolder", Path.Combine(_root, "packages"))),
            new XElement("packageSources", new XElement("clear"), Add("contract", Feed)),
            new XElement("fallbackPackageFolders", new XElement("clear"), Add("machine", machinePackages)));
        config.Save(Path.Combine(_root, "nuget.config"));

        static XElement Add(string key, string value) => new("add", new XAttribute("key", key), new XAttribute("value", value));
    }

    private void WriteConfig()
    {
        Directory.CreateDirectory(Path.Combine(Deployment, "releases"));
        var webApp = Path.GetRelativePath(Deployment, Path.Combine(RepoPaths.Root, "plugins", "WebApp", "WebApp.csproj"));
        File.WriteAllText(ConfigPath, $"""
            releases:
              root: releases
            apps:
              - name: Greeter
                mount: /greeter
                assembly: Acme.Greeter/Acme.Greeter.dll
                project: ../src/Acme.Greeter/src/Acme.Greeter/Acme.Greeter.csproj
                warmup: [/hello]
                settings:
                  greeting: Hej
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
                from: {RepoPaths.PluginBuild("ReportingApi")}
                warmup: [/version]
                settings:
                  reportTitle: Test report
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
                project: {webApp}
                static: wwwroot
                settings:
                  siteName: Test site
            """);
    }

    /// <summary>Runs a command to its end; a failure shows its output.</summary>
    private async Task<string> RunAsync(string file, string[] arguments, string workingDirectory)
    {
        var (exitCode, text) = await ExternalCommand.RunAsync(file, arguments, CommandTimeout, workingDirectory: workingDirectory);
        output.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', arguments)}  (exit {exitCode})");
        Assert.True(exitCode == 0, $"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited {exitCode}:\n{text}");
        return text;
    }

    private static string? Text(JsonDocument document, string property) =>
        document.RootElement.GetProperty(property).ValueKind == JsonValueKind.String ? document.RootElement.GetProperty(property).GetString() : null;

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif
}

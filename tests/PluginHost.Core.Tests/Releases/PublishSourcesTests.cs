using PluginHost.Cli;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

/// <summary>
/// 'publish' with apps from anywhere: apps[].project (built with 'dotnet publish', faked here), apps[].from (copied), and
/// this repository's plugins/&lt;App&gt;; hostile 'from' folders are refused with one line and leave no release behind.
/// </summary>
public sealed class PublishSourcesTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps("WebApp", "Billing", "Legacy");
    private readonly CliHarness _cli;

    public PublishSourcesTests()
    {
        _cli = new CliHarness(_releases);
        _cli.ProcessRunner.RunAsync(default!, default!, default!, default!, default).ReturnsForAnyArgs(call => FakePublish(call.ArgAt<IReadOnlyList<string>>(1)));
    }

    private string Outside => Path.Combine(_releases.Folder, "outside");

    [Fact]
    public async Task Publish_RepositoryPluginExternalProjectAndPublishedFolder_ReleaseHoldsAllThree()
    {
        CreateRepository("WebApp");
        var billing = ExternalProject("Billing");
        var legacy = PublishedFolder("Legacy");
        _releases.WithApp("Billing", app => app with { Project = billing }).WithApp("Legacy", app => app with { From = legacy });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.True(exitCode == 0, _cli.Error);
        var release = Path.Combine(_releases.Root, "1.5.0");
        Assert.Equal("built from WebApp.csproj", File.ReadAllText(Path.Combine(release, "WebApp", "WebApp.dll")));
        Assert.Equal("built from Billing.csproj", File.ReadAllText(Path.Combine(release, "Billing", "Billing.dll")));
        Assert.Equal("published Legacy", File.ReadAllText(Path.Combine(release, "Legacy", "Legacy.dll")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(release, "Legacy", "wwwroot", "app.json")));
        await _cli.ProcessRunner.Received(1).RunAsync(Arg.Any<string>(), Arg.Is<IReadOnlyList<string>>(a => a[1] == billing),
            Path.GetDirectoryName(billing)!, Arg.Any<TextWriter>(), Arg.Any<CancellationToken>());
        Assert.Equal(["1.5.0", "history.log"], _releases.Entries());
    }

    [Fact]
    public async Task Publish_EveryAppFromProjectOrFolder_NeedsNoRepository()
    {
        var webApp = ExternalProject("WebApp");
        var billing = ExternalProject("Billing");
        var legacy = PublishedFolder("Legacy");
        _releases.WithApp("WebApp", app => app with { Project = webApp }).WithApp("Billing", app => app with { Project = billing })
            .WithApp("Legacy", app => app with { From = legacy });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.True(exitCode == 0, _cli.Error);
        Assert.True(File.Exists(Path.Combine(_releases.Root, "1.5.0", "WebApp", "WebApp.dll")));
    }

    [Fact]
    public async Task Publish_FromWithSymlinksInsideIt_KeepsThemAsRelativeLinksIntoTheCopy()
    {
        var legacy = PublishedFolder("Legacy");
        File.CreateSymbolicLink(Path.Combine(legacy, "current.json"), "wwwroot/app.json");
        File.CreateSymbolicLink(Path.Combine(legacy, "wwwroot", "absolute.json"), Path.Combine(legacy, "wwwroot", "app.json"));
        Directory.CreateSymbolicLink(Path.Combine(legacy, "static"), "wwwroot");
        UseSourcesOutsideTheRepository(legacy);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.True(exitCode == 0, _cli.Error);
        var copy = Path.Combine(_releases.Root, "1.5.0", "Legacy");
        Assert.Equal("wwwroot/app.json", new FileInfo(Path.Combine(copy, "current.json")).LinkTarget);
        Assert.Equal("app.json", new FileInfo(Path.Combine(copy, "wwwroot", "absolute.json")).LinkTarget);
        Assert.Equal("wwwroot", new DirectoryInfo(Path.Combine(copy, "static")).LinkTarget);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(copy, "static", "app.json")));
    }

    [Fact]
    public async Task Publish_FromMissing_Exit1OneLineNamingKeyAndFolderAndNothingBuilt()
    {
        var missing = Path.Combine(Outside, "no-such-folder");
        UseSourcesOutsideTheRepository(missing);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"app 'Legacy': from: folder {missing} does not exist");
        await _cli.ProcessRunner.DidNotReceiveWithAnyArgs().RunAsync(default!, default!, default!, default!, default);
    }

    [Fact]
    public async Task Publish_FromIsAFile_Exit1OneLine()
    {
        var file = Path.Combine(PublishedFolder("Legacy"), "Legacy.dll");
        UseSourcesOutsideTheRepository(file);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"app 'Legacy': from: {file} is a file");
    }

    [Fact]
    public async Task Publish_FromHoldsAFileSymlinkLeadingOutOfIt_Exit1OneLine()
    {
        var legacy = PublishedFolder("Legacy");
        var secret = Path.Combine(Path.GetDirectoryName(legacy)!, "secret.txt");
        File.WriteAllText(secret, "secret");
        File.CreateSymbolicLink(Path.Combine(legacy, "wwwroot", "secret.txt"), "../../secret.txt");
        UseSourcesOutsideTheRepository(legacy);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"is a symlink to {secret}, outside {legacy}");
    }

    [Fact]
    public async Task Publish_FromHoldsAFolderSymlinkToItsParent_Exit1OneLine()
    {
        var legacy = PublishedFolder("Legacy");
        Directory.CreateSymbolicLink(Path.Combine(legacy, "up"), "/");
        UseSourcesOutsideTheRepository(legacy);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, "is a symlink to /, outside");
    }

    /// <summary>"self/../x" reads as inside, but 'self' is the folder itself: its ".." is the folder's parent.</summary>
    [Fact]
    public async Task Publish_FromHoldsASymlinkEscapingThroughAnotherLinksDotDot_Exit1OneLine()
    {
        var legacy = PublishedFolder("Legacy");
        var beside = Path.Combine(Path.GetDirectoryName(legacy)!, "x");
        File.WriteAllText(beside, "outside");
        Directory.CreateSymbolicLink(Path.Combine(legacy, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(legacy, "sneaky"), "self/../x");
        UseSourcesOutsideTheRepository(legacy);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"sneaky is a symlink to {beside}, outside {legacy}");
    }

    [Fact]
    public async Task Publish_FromHoldsADanglingSymlink_Exit1OneLine()
    {
        var legacy = PublishedFolder("Legacy");
        File.CreateSymbolicLink(Path.Combine(legacy, "gone.json"), "wwwroot/gone.json");
        UseSourcesOutsideTheRepository(legacy);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, "gone.json is a symlink to wwwroot/gone.json, which does not exist");
    }

    [Fact]
    public async Task Publish_FromHoldsTheReleasesRoot_Exit1OneLine()
    {
        UseSourcesOutsideTheRepository(_releases.Folder);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"holds the releases root {_releases.Root}");
    }

    [Fact]
    public async Task Publish_ProjectMissing_Exit1OneLineNamingConfigAndProject()
    {
        var legacy = PublishedFolder("Legacy");
        var missing = Path.Combine(Outside, "Billing", "Billing.csproj");
        _releases.WithApp("WebApp", app => app with { Project = ExternalProject("WebApp") }).WithApp("Billing", app => app with { Project = missing })
            .WithApp("Legacy", app => app with { From = legacy });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, $"{_releases.ConfigPath}: app 'Billing': project: {missing} not found");
    }

    [Fact]
    public async Task Publish_NoProjectNoFromAndNoRepository_Exit1SayingWhatToSet()
    {
        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, "apps[].project");
    }

    [Fact]
    public async Task Publish_TwoAppsShareAFolderFromDifferentSources_Exit1OneLine()
    {
        var legacy = PublishedFolder("Legacy");
        UseSourcesOutsideTheRepository(legacy);
        _releases.WithApp("Billing", app => app with { Assembly = "Legacy/Legacy.dll" });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, "apps 'Billing' and 'Legacy' share the release folder 'Legacy'");
    }

    /// <summary>A 'from' folder whose link is replaced after the check (between check and copy) is still refused by the copy.</summary>
    [Fact]
    public async Task Publish_FromFolderChangesAfterTheCheck_CopyRefusesItAndNoReleaseIsLeft()
    {
        var legacy = PublishedFolder("Legacy");
        UseSourcesOutsideTheRepository(legacy);
        _cli.ProcessRunner = Substitute.For<IProcessRunner>();
        _cli.ProcessRunner.RunAsync(default!, default!, default!, default!, default).ReturnsForAnyArgs(call =>
        {
            var late = new FileInfo(Path.Combine(legacy, "late.txt"));
            if (late.LinkTarget is null)
            {
                File.CreateSymbolicLink(late.FullName, "/etc/hostname");
            }

            return FakePublish(call.ArgAt<IReadOnlyList<string>>(1));
        });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode, "late.txt is a symlink to /etc/hostname");
        Assert.Contains("release '1.5.0' was not created", _cli.Error, StringComparison.Ordinal);
        Assert.Empty(_releases.Entries());
    }

    public void Dispose() => _releases.Dispose();

    /// <summary>WebApp and Billing built from projects outside any repository, Legacy copied from <paramref name="legacy"/>.</summary>
    private void UseSourcesOutsideTheRepository(string legacy)
    {
        var webApp = ExternalProject("WebApp");
        var billing = ExternalProject("Billing");
        _releases.WithApp("WebApp", app => app with { Project = webApp }).WithApp("Billing", app => app with { Project = billing })
            .WithApp("Legacy", app => app with { From = legacy });
    }

    private void AssertRefusedWithOneLine(int exitCode, string messagePart)
    {
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", _cli.Error, StringComparison.Ordinal);
        Assert.Single(_cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(_cli.Error.Contains(messagePart, StringComparison.Ordinal), $"expected '{messagePart}' in: {_cli.Error}");
        Assert.DoesNotContain("1.5.0", _releases.Entries());
        Assert.DoesNotContain(_releases.Entries(), e => e.StartsWith(".staging", StringComparison.Ordinal));
    }

    /// <summary>outside/&lt;app&gt;/&lt;app&gt;.csproj: a project of another repository.</summary>
    private string ExternalProject(string app)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Outside, "src", app)).FullName;
        var project = Path.Combine(folder, app + ".csproj");
        File.WriteAllText(project, "<Project />");
        return project;
    }

    /// <summary>outside/publish/&lt;app&gt;/: what 'dotnet publish -o' left, e.g. a CI artifact.</summary>
    private string PublishedFolder(string app)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Outside, "publish", app)).FullName;
        File.WriteAllText(Path.Combine(folder, app + ".dll"), $"published {app}");
        Directory.CreateDirectory(Path.Combine(folder, "wwwroot"));
        File.WriteAllText(Path.Combine(folder, "wwwroot", "app.json"), "{}");
        return folder;
    }

    private void CreateRepository(params string[] apps)
    {
        File.WriteAllText(Path.Combine(_releases.Folder, "PluginHost.sln"), "");
        foreach (var app in apps)
        {
            Directory.CreateDirectory(Path.Combine(_releases.Folder, "plugins", app));
            File.WriteAllText(Path.Combine(_releases.Folder, "plugins", app, app + ".csproj"), "<Project />");
        }
    }

    /// <summary>What 'dotnet publish PROJECT -o DIR' would leave: DIR/App.dll naming the project it came from.</summary>
    private static int FakePublish(IReadOnlyList<string> arguments)
    {
        var output = arguments[arguments.ToList().IndexOf("-o") + 1];
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, Path.GetFileName(output) + ".dll"), $"built from {Path.GetFileName(arguments[1])}");
        return 0;
    }
}

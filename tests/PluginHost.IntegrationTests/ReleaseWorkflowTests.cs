using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 4: the pluginhost CLI against a running host: promote, status, rollback, refused releases.</summary>
public sealed class ReleaseWorkflowTests : HostedTest
{
    protected override bool UseConfigUrls => true;

    protected override void Arrange() => Releases.ArrangeTwoSampleReleasesOnAFixedPort();

    /// <summary>README's form of the command: `dotnet run --project host/PluginHost -- verb`, config.yaml found where it is run.</summary>
    [Fact]
    public async Task DotnetRun_InTheFolderHoldingConfigYaml_FindsItWithoutTheConfigOption()
    {
        var project = Path.Combine(RepoPaths.Root, "host", "PluginHost", "PluginHost.csproj");

        var (exitCode, output) = await ExternalCommand.RunAsync(ExternalCommand.Dotnet,
            ["run", "--no-build", "-c", BuildConfiguration, "--project", project, "--", "status"],
            TimeSpan.FromMinutes(2), workingDirectory: Releases.Root);

        Assert.True(exitCode == 0, output);
        Assert.Equal(ServedBy("v1", Host.GenerationNumber), Served(output));
    }

    /// <summary>Issue 12: the unit's ExecReload ('systemctl reload') waits for the host's reload and fails when it failed.</summary>
    [Fact]
    public async Task ReloadWait_RunningHost_Exit0ThenExit1NamingTheErrorWhenTheReloadFails()
    {
        var before = Host.GenerationNumber;

        var ok = await CliRunner.RunAsync(Releases, "reload", "--wait");
        File.WriteAllText(Releases.ConfigPath, File.ReadAllText(Releases.ConfigPath).Replace("WebApp/WebApp.dll", "WebApp/WebAp.dll", StringComparison.Ordinal));
        var failed = await CliRunner.RunAsync(Releases, "reload", "--wait");

        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains($"reloaded: serving v1 generation {before + 1}", ok.Out, StringComparison.Ordinal);
        Assert.Equal(1, failed.ExitCode);
        Assert.StartsWith("error: reload failed; the previous generation keeps serving: ", failed.Error, StringComparison.Ordinal);
        Assert.Contains("WebAp.dll", failed.Error, StringComparison.Ordinal);
        Assert.Equal("v1", await Host.VersionServedAsync());
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    [Fact]
    public async Task PromoteThenRollback_RunningHost_StatusShowsEachVersionServed()
    {
        var initial = Host.GenerationNumber;
        var statusBefore = await RunCliAsync("status");

        var promote = await RunCliAsync("promote", "v2");
        await Eventually.WaitAsync(async () => await Host.VersionServedAsync() == "v2", "the host serving v2 after promote");
        var statusAfterPromote = await RunCliAsync("status");

        var rollback = await RunCliAsync("rollback");
        await Eventually.WaitAsync(async () => await Host.VersionServedAsync() == "v1", "the host serving v1 after rollback");
        var statusAfterRollback = await RunCliAsync("status");

        Assert.Equal((0, 0, 0, 0, 0), (statusBefore.ExitCode, promote.ExitCode, statusAfterPromote.ExitCode, rollback.ExitCode, statusAfterRollback.ExitCode));
        Assert.Equal(ServedBy("v1", initial), Served(statusBefore.Out));
        Assert.Equal(ServedBy("v2", initial + 1), Served(statusAfterPromote.Out));
        // The rollback swapped back to the warm standby (reload.keepPrevious, on by default): the generation that served v1 before.
        Assert.True(ServedBy("v1", initial) == Served(statusAfterRollback.Out), statusAfterRollback.Out + rollback.Out + rollback.Error);
        Assert.Equal(initial, Host.GenerationNumber);
        Assert.Equal("standby", Host.Coordinator.LastResult!.Swap);
        Assert.Empty(await Host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Promote_ReleaseMissingAPrivateDependency_RefusedByTheLoadingValidator()
    {
        Releases.CreateSampleRelease("v3");
        File.Delete(Path.Combine(Releases.ReleasesRoot, "v3", "ReportingApi", "ReportingApi.Aggregation.dll"));

        var promote = await RunCliAsync("promote", "v3");

        Assert.Equal(1, promote.ExitCode);
        Assert.Contains("ReportingApi", promote.Error);
        Assert.Contains("ReportingApi.Aggregation", promote.Error);
        Assert.Equal("v1", new FileInfo(Releases.ProductionLink).LinkTarget);
        Assert.Equal("v1", await Host.VersionServedAsync());
    }

    [Fact]
    public async Task Validate_ReleaseWhoseAppThrowsOnConfigure_ReportsAppFileAndCause()
    {
        Releases.CreateRelease("v4", ("ReportingApi", "ThrowsOnConfigure"), ("WebApp", "WebApp"));
        File.Move(Path.Combine(Releases.ReleasesRoot, "v4", "ReportingApi", "ThrowsOnConfigure.dll"),
            Path.Combine(Releases.ReleasesRoot, "v4", "ReportingApi", "ReportingApi.dll"));

        var validate = await RunCliAsync("validate", "v4");

        Assert.Equal(1, validate.ExitCode);
        Assert.Contains("app 'ReportingApi'", validate.Error);
        Assert.Contains("Configure threw InvalidOperationException", validate.Error);
    }

    /// <summary>What 'status' should say when every configured app serves <paramref name="version"/> as <paramref name="generation"/>.</summary>
    private static string ServedBy(string version, long generation) =>
        $"host: {version} gen {generation}; ReportingApi: {version} gen {generation}; WebApp: {version} gen {generation}";

    /// <summary>
    /// Reads what 'pluginhost status' printed (StatusVerb.Summarise of GET {admin.path}/status): the host's own
    /// 'version' and 'generation' lines, and those of each block of 'apps:' (reload history blocks are ignored).
    /// </summary>
    private static string Served(string statusOutput)
    {
        var lines = statusOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        string Top(string key) => lines.Single(l => l.StartsWith($"  {key}: ", StringComparison.Ordinal))[$"  {key}: ".Length..];
        var apps = new SortedDictionary<string, (string? Version, string? Generation)>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in lines.SkipWhile(l => l != "  apps:").Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)))
        {
            if (line.StartsWith("    - name: ", StringComparison.Ordinal))
            {
                current = line["    - name: ".Length..];
                apps[current] = (null, null);
            }
            else if (current is not null && line.StartsWith("      version: ", StringComparison.Ordinal))
            {
                apps[current] = (line["      version: ".Length..], apps[current].Generation);
            }
            else if (current is not null && line.StartsWith("      generation: ", StringComparison.Ordinal))
            {
                apps[current] = (apps[current].Version, line["      generation: ".Length..]);
            }
        }

        return string.Join("; ", new[] { $"host: {Top("version")} gen {Top("generation")}" }
            .Concat(apps.Select(a => $"{a.Key}: {a.Value.Version ?? "(no version)"} gen {a.Value.Generation ?? "(no generation)"}")));
    }

    private Task<(int ExitCode, string Out, string Error)> RunCliAsync(params string[] args) => CliRunner.RunAsync(Releases, args);
}

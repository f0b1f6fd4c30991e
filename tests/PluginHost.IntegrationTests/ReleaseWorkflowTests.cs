using PluginHost.Cli;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.Releases;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 4: the pluginhost CLI against a running host: promote, status, rollback, refused releases.</summary>
public sealed class ReleaseWorkflowTests : HostedTest
{
    protected override bool UseConfigUrls => true;

    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.CreateSampleRelease("v2", aggregation: "ReportingApi.Aggregation.V2");
        Releases.Promote("v1");
        Releases.WriteSampleConfig();
        File.AppendAllText(Releases.ConfigPath, $"server:\n  urls: http://127.0.0.1:{HostRunner.FreePort()}\n");
    }

    [Fact]
    public async Task PromoteThenRollback_RunningHost_StatusShowsEachVersionServed()
    {
        var promote = await RunCliAsync("promote", "v2");
        await Eventually.WaitAsync(async () => await Host.VersionServedAsync() == "v2", "the host serving v2 after promote");
        var statusAfterPromote = await RunCliAsync("status");

        var rollback = await RunCliAsync("rollback");
        await Eventually.WaitAsync(async () => await Host.VersionServedAsync() == "v1", "the host serving v1 after rollback");
        var statusAfterRollback = await RunCliAsync("status");

        Assert.Equal(0, promote.ExitCode);
        Assert.Equal(0, statusAfterPromote.ExitCode);
        Assert.Contains("v2", statusAfterPromote.Out);
        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal(0, statusAfterRollback.ExitCode);
        Assert.Contains("v1", statusAfterRollback.Out);
        Assert.DoesNotContain("v2", statusAfterRollback.Out.Split('\n').First(l => l.Contains("ReportingApi", StringComparison.Ordinal)));
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

    private async Task<(int ExitCode, string Out, string Error)> RunCliAsync(params string[] args)
    {
        var services = new CliServices
        {
            LoadConfig = ConfigLoader.Load,
            Validator = new CompositeReleaseValidator(new FileReleaseValidator(), new LoadingReleaseValidator()),
            CurrentDirectory = Releases.Root,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build(services)
            .Parse([.. args, "--config", Releases.ConfigPath])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}

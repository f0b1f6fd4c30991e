using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>The loading validator against real release folders: every failure is a refusal, hangs are bounded, leaks are reported.</summary>
public sealed class LoadingReleaseValidatorTests : IDisposable
{
    /// <summary>Bounds each test: a validator that hangs fails the test instead of hanging the run.</summary>
    private static readonly TimeSpan TestBound = TimeSpan.FromSeconds(60);

    private readonly TempReleases _releases = new();

    [Fact]
    public async Task Validate_TruncatedAssembly_Exit1NamingAppFileAndCause()
    {
        _releases.CreateSampleRelease("v1");
        _releases.WriteSampleConfig();
        var assembly = Path.Combine(_releases.ReleasesRoot, "v1", "WebApp", "WebApp.dll");
        // An interrupted copy: the metadata still reads, so the contract check passes, but the image does not load.
        var bytes = File.ReadAllBytes(assembly);
        File.WriteAllBytes(assembly, bytes[..^16]);

        var (exitCode, _, error) = await CliRunner.RunAsync(_releases, "validate", "v1").WaitAsync(TestBound);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: validate refused: release 'v1' is not valid (1 problem)", error, StringComparison.Ordinal);
        var problem = Assert.Single(error.Split('\n'), l => l.StartsWith("  - ", StringComparison.Ordinal));
        Assert.Contains("app 'WebApp'", problem, StringComparison.Ordinal);
        Assert.Contains(assembly, problem, StringComparison.Ordinal);
        Assert.Contains("BadImageFormatException", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected failure", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WarmupNeverAnswers_RefusedAfterItsWarmupTimeout()
    {
        _releases.CreateRelease("v1", ("Slow", "SlowRequest"));
        var config = Config(new AppConfig { Name = "Slow", Mount = "/slow-app", Assembly = "Slow/SlowRequest.dll", Warmup = ["/slow?ms=600000"], WarmupTimeout = TimeSpan.FromSeconds(1) });
        var sut = new LoadingReleaseValidator(options: new LoadingValidationOptions { AppTimeout = TimeSpan.FromSeconds(30) });

        var errors = await sut.ValidateAsync(config, Path.Combine(_releases.ReleasesRoot, "v1")).WaitAsync(TestBound);

        var error = Assert.Single(errors);
        Assert.StartsWith($"app 'Slow': {Path.Combine(_releases.ReleasesRoot, "v1", "Slow", "SlowRequest.dll")}: warm-up did not finish within 1 s (warmupTimeout)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AppRootsItsOwnContext_AcceptedWithALeakWarning()
    {
        _releases.CreateRelease("v1", ("Leaky", "StartsPollingThread"));
        var config = Config(new AppConfig { Name = "Leaky", Mount = "/leaky", Assembly = "Leaky/StartsPollingThread.dll", Warmup = ["/"] });
        var warnings = new List<string>();
        var sut = new LoadingReleaseValidator(options: new LoadingValidationOptions { UnloadTimeout = TimeSpan.FromMilliseconds(500), Warning = warnings.Add });

        var errors = await sut.ValidateAsync(config, Path.Combine(_releases.ReleasesRoot, "v1")).WaitAsync(TestBound);

        Assert.Empty(errors);
        var warning = Assert.Single(warnings);
        Assert.StartsWith("app 'Leaky' of release 'v1': its load context was still alive", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WellBehavedRelease_NoErrorsAndNoLeakWarning()
    {
        _releases.CreateSampleRelease("v1");
        var config = Config(
            new AppConfig { Name = "WebApp", Mount = "/", Assembly = "WebApp/WebApp.dll", Warmup = ["/"] },
            new AppConfig { Name = "ReportingApi", Mount = "/api/v1", Assembly = "ReportingApi/ReportingApi.dll", Warmup = ["/version"] });
        var warnings = new List<string>();
        var sut = new LoadingReleaseValidator(options: new LoadingValidationOptions { UnloadTimeout = TimeSpan.FromSeconds(15), Warning = warnings.Add });

        var errors = await sut.ValidateAsync(config, Path.Combine(_releases.ReleasesRoot, "v1")).WaitAsync(TestBound);

        Assert.Empty(errors);
        Assert.Empty(warnings);
    }

    private HostConfig Config(params AppConfig[] apps) => new()
    {
        SourcePath = _releases.ConfigPath,
        Releases = new ReleasesConfig { Root = _releases.ReleasesRoot },
        Apps = apps,
    };

    public void Dispose() => _releases.Dispose();
}

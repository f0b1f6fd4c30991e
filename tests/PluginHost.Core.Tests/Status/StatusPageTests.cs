using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Reloading;
using PluginHost.Core.Status;
using PluginHost.Core.Telemetry;
using PluginHost.Core.Tests.Generations;
using PluginHost.Core.Tests.Telemetry;

namespace PluginHost.Core.Tests.Status;

public sealed class StatusPageTests : IAsyncDisposable
{
    /// <summary>Far from the real clock: a page that read the process's own start time would show years of uptime.</summary>
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
    private readonly string _folder = Directory.CreateTempSubdirectory("pluginhost-status-page-").FullName;
    private readonly IGenerationBuilder _builder = Substitute.For<IGenerationBuilder>();
    private readonly CurrentGeneration _current = new();
    private readonly LogBuffers _logBuffers = new();
    private readonly ReloadCoordinator _coordinator;
    private readonly StatusPage _sut;

    public StatusPageTests()
    {
        var config = new HostConfig
        {
            SourcePath = Path.Combine(_folder, "config.yaml"),
            Releases = new ReleasesConfig { Root = Path.Combine(_folder, "releases") },
        };
        Directory.CreateDirectory(config.Releases.Root);
        _coordinator = new ReloadCoordinator(config, _current, _builder, Substitute.For<IGenerationRetirer>(), new ReloadHooks(_ => config),
            _time, NullLogger<ReloadCoordinator>.Instance);
        var tracker = new UnloadTracker(_time, NullLogger<UnloadTracker>.Instance, TimeSpan.FromSeconds(10));
        _sut = new StatusPage(new StatusReporter(_current, _coordinator, tracker, _logBuffers, _time, new HealthReporter(_current, _time)), _coordinator, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _coordinator.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Render_TwoHoursAfterConstruction_ShowsHostUptimeFromTheInjectedClock()
    {
        _time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5));

        var html = _sut.Render("/_pluginhost");

        Assert.Contains("host up <span id=\"host-uptime\">2h 5m</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LogEventsDropped_ShowsTheCountPerSinkAndInAll()
    {
        _logBuffers.Add(new FakeLogBuffer("console", capacity: 10_000) { Buffered = 10_000, Dropped = 4321 });
        _logBuffers.Add(new FakeLogBuffer("file", capacity: 10_000) { Buffered = 3 });

        var html = _sut.Render("/_pluginhost");

        Assert.Contains("<span id=\"log-dropped\" class=\"badge failed\">4321</span>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-sink=\"console\"><td>console</td><td class=\"num\">10000</td><td class=\"num\">10000</td><td class=\"num sink-dropped\">4321</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-sink=\"file\"><td>file</td><td class=\"num\">3</td><td class=\"num\">10000</td><td class=\"num sink-dropped\">0</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_AfterReloads_ShowsEachDurationAndTheFailedReloadsError()
    {
        _builder.BuildAsync(Arg.Any<HostConfig>(), Arg.Any<long>(), Arg.Any<CancellationToken>()).Returns(
            call =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(120));
                return GenerationTests.Empty(call.ArgAt<long>(1));
            },
            call =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(45));
                throw new GenerationBuildException("app 'Api': Api.dll: assembly <not> found");
            });
        await _coordinator.LoadFirstAsync();
        await _coordinator.ReloadAsync(new ReloadRequest("touch"));

        var html = _sut.Render("/_pluginhost");

        Assert.Contains("<td class=\"num reload-ms\">120</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num reload-ms\">45</td>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge failed\">failed</span>", html, StringComparison.Ordinal);
        Assert.Contains("class=\"error reload-error\">app &#x27;Api&#x27;: Api.dll: assembly &lt;not&gt; found</td>", html, StringComparison.Ordinal);
    }
}

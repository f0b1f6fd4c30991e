using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Tests.Telemetry;

public sealed class DroppedLogEventsReporterTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly LogBuffers _buffers = new();
    private readonly FakeLogBuffer _console = new("console", capacity: 10_000);
    private readonly FakeLogBuffer _file = new("file", capacity: 10_000);
    private readonly CollectingLogger<DroppedLogEventsReporter> _logger = new();
    private readonly DroppedLogEventsReporter _sut;

    public DroppedLogEventsReporterTests()
    {
        _buffers.Add(_console);
        _buffers.Add(_file);
        _sut = new DroppedLogEventsReporter(_buffers, _time, _logger);
        _sut.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose() => _sut.Dispose();

    [Fact]
    public void Check_NothingDropped_LogsNothing()
    {
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Check_EventsDropped_OneWarningWithinASecondSayingHowManyAndWhere()
    {
        _console.Dropped = 1234;

        _time.Advance(DroppedLogEventsReporter.CheckEvery);

        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(new EventId(94, "LogEventsDropped"), warning.EventId);
        Assert.Equal(1234L, warning.Properties["DroppedCount"]);
        Assert.Equal(1234L, warning.Properties["TotalDropped"]);
        Assert.Equal("console 1234", warning.Properties["Sinks"]);
        Assert.Contains("Dropped 1234 log event(s)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("logging.bufferSize", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DroppingGoesOn_AtMostOneWarningPerTenSecondsCountingSinceTheLast()
    {
        _console.Dropped = 100;
        _time.Advance(DroppedLogEventsReporter.CheckEvery);

        for (var second = 1; second < 10; second++)
        {
            _console.Dropped += 100;
            _file.Dropped += 1;
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Single(_logger.Entries);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _logger.Entries.Count);
        var second10 = _logger.Entries[1];
        Assert.Equal(909L, second10.Properties["DroppedCount"]);
        Assert.Equal(1009L, second10.Properties["TotalDropped"]);
        Assert.Equal("console 1000, file 9", second10.Properties["Sinks"]);
    }

    [Fact]
    public async Task StopAsync_DroppedSinceTheLastWarning_ReportsAtOnceDespiteTheRateLimit()
    {
        _console.Dropped = 5;
        _time.Advance(DroppedLogEventsReporter.CheckEvery);
        _console.Dropped = 8;

        await _sut.StopAsync(CancellationToken.None);

        Assert.Equal(2, _logger.Entries.Count);
        Assert.Equal(3L, _logger.Entries[1].Properties["DroppedCount"]);
        _console.Dropped = 20;
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, _logger.Entries.Count);
    }
}

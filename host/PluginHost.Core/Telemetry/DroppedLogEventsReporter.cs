using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PluginHost.Core.Telemetry;

/// <summary>
/// Makes dropped log events visible in the log itself: checks the sinks' buffers every second and, when events were
/// dropped since the last report, logs one warning with how many, at most once per <see cref="MinInterval"/> (a sink
/// that cannot keep up must not be buried under warnings about it). On shutdown it reports what is left at once.
/// The warning goes through the same buffers: if it is dropped too, it is counted, and the next report includes it.
/// </summary>
/// <remarks>Started before and stopped after the engine's lifetime, so drops during the final retire are reported.</remarks>
internal sealed partial class DroppedLogEventsReporter(LogBuffers buffers, TimeProvider timeProvider, ILogger<DroppedLogEventsReporter> logger)
    : IHostedService, IDisposable
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _reported;
    private long? _lastWarning;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = timeProvider.CreateTimer(_ => Check(force: false), null, CheckEvery, CheckEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        Check(force: true);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Warns about the events dropped since the last warning, unless one was logged less than <see cref="MinInterval"/> ago (or <paramref name="force"/>).</summary>
    internal void Check(bool force)
    {
        lock (_lock)
        {
            var all = buffers.Read();
            var total = all.Sum(b => b.Dropped);
            if (total <= _reported)
            {
                return;
            }

            var now = timeProvider.GetTimestamp();
            if (!force && _lastWarning is { } last && timeProvider.GetElapsedTime(last, now) < MinInterval)
            {
                return;
            }

            var sinks = string.Join(", ", all.Where(b => b.Dropped > 0).Select(b => $"{b.Sink} {b.Dropped}"));
            Log.Dropped(logger, total - _reported, total, sinks, all.Count == 0 ? 0 : all.Max(b => b.Capacity));
            _reported = total;
            _lastWarning = now;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 94, EventName = "LogEventsDropped", Level = LogLevel.Warning,
            Message = "Dropped {DroppedCount} log event(s) since the last report ({TotalDropped} in all: {Sinks}): a log sink could not keep up and its buffer of {BufferSize} events (logging.bufferSize) was full")]
        public static partial void Dropped(ILogger logger, long droppedCount, long totalDropped, string sinks, int bufferSize);
    }
}

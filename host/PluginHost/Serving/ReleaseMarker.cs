using Serilog.Core;
using Serilog.Events;

namespace PluginHost.Serving;

/// <summary>
/// The event a log buffer passes through when a generation retires (<see cref="AsyncSinkMonitor.ReleaseLastEvent"/>):
/// Serilog.Sinks.Async's worker holds the last event it wrote until the next one arrives, and at a quiet log level that
/// last event may be an app's error, whose exception references the app's code and so keeps its retired generation
/// alive. No sink writes the marker: <see cref="Filter"/> drops it in front of each one.
/// </summary>
internal static class ReleaseMarker
{
    private static readonly MessageTemplate Template = new("", []);

    public static LogEvent Create() => new(DateTimeOffset.UnixEpoch, LogEventLevel.Verbose, null, Template, []);

    private static bool IsMarker(LogEvent logEvent) => ReferenceEquals(logEvent.MessageTemplate, Template);

    /// <summary>In front of a buffered sink: every event but the marker.</summary>
    public sealed class Filter(ILogEventSink sink) : ILogEventSink, IDisposable
    {
        public void Emit(LogEvent logEvent)
        {
            if (!IsMarker(logEvent))
            {
                sink.Emit(logEvent);
            }
            else if (sink is BurstConsoleSink burst)
            {
                // The marker was queued behind the burst's last event, which therefore waited for more.
                burst.Flush();
            }
        }

        public void Dispose() => (sink as IDisposable)?.Dispose();
    }
}

using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>Keeps every log event in memory so tests can assert what was logged.</summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToList();

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public IEnumerable<string> Messages => _events.Select(e => e.RenderMessage());

    public static string? Property(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) ? (value as ScalarValue)?.Value?.ToString() ?? value.ToString() : null;

    /// <summary>The Microsoft.Extensions.Logging event name ([LoggerMessage] EventName), which Serilog keeps in its EventId property.</summary>
    public static string? EventName(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
            ? structure.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string name } ? name : null
            : null;
}

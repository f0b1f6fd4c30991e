using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps every log event in memory so tests can assert what was logged. An event's exception is kept as a
/// <see cref="LoggedException"/> (type name, message, stack text): the original may be an app's own type, and a sink
/// that held it would keep that app's retired generation alive, which is what the tests check never happens.
/// </summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToList();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        _events.Enqueue(new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception is null ? null : new LoggedException(logEvent.Exception),
            logEvent.MessageTemplate, logEvent.Properties.Select(p => new LogEventProperty(p.Key, Detach(p.Value)))));
    }

    /// <summary>A scalar of an app's type (an enum, say) is kept as its text, for the same reason as exceptions.</summary>
    private static LogEventPropertyValue Detach(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: { } scalar } when scalar.GetType().IsCollectible => new ScalarValue(scalar.ToString()),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Detach)),
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Detach(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e => KeyValuePair.Create((ScalarValue)Detach(e.Key), Detach(e.Value)))),
        _ => value,
    };

    public IEnumerable<string> Messages => _events.Select(e => e.RenderMessage());

    public static string? Property(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) ? (value as ScalarValue)?.Value?.ToString() ?? value.ToString() : null;

    /// <summary>The Microsoft.Extensions.Logging event name ([LoggerMessage] EventName), which Serilog keeps in its EventId property.</summary>
    public static string? EventName(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
            ? structure.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string name } ? name : null
            : null;
}

/// <summary>What a sink keeps of a logged exception: its type's name, message and stack trace, as text only.</summary>
public sealed class LoggedException(Exception original) : Exception(original.Message)
{
    public string TypeName { get; } = original.GetType().Name;
    public string FullTypeName { get; } = original.GetType().FullName ?? original.GetType().Name;
    public string Text { get; } = original.ToString();

    public override string ToString() => Text;
}

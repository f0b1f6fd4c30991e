using Microsoft.Extensions.Logging;

namespace PluginHost.Core.Tests.Telemetry;

/// <summary>One logged event: id, level, rendered message and the structured properties (without the template).</summary>
internal sealed record LoggedEntry(EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties);

/// <summary>Keeps what was logged.</summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly List<LoggedEntry> _entries = [];

    public IReadOnlyList<LoggedEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value)
            : [];
        lock (_entries)
        {
            _entries.Add(new LoggedEntry(eventId, logLevel, formatter(state, exception), properties));
        }
    }
}

using System.Collections.Concurrent;
using PluginHost.Abstractions;

namespace RazorPages;

/// <summary>One signature in the guest book.</summary>
public sealed record GuestBookEntry(string Name, string Message, DateTimeOffset At, long Generation);

/// <summary>The app's store (singleton).</summary>
public sealed class GuestBook(PluginContext context, TimeProvider timeProvider)
{
    private readonly ConcurrentQueue<GuestBookEntry> _entries = new();

    public long Generation => context.Generation;

    public string Version => context.Version;

    public IReadOnlyList<GuestBookEntry> Entries => [.. _entries.Reverse()];

    public GuestBookEntry Sign(string name, string message)
    {
        var entry = new GuestBookEntry(name, message, timeProvider.GetUtcNow(), context.Generation);
        _entries.Enqueue(entry);
        return entry;
    }
}

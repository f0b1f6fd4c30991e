using System.Collections.Concurrent;
using MvcNewtonsoft.Models;
using PluginHost.Abstractions;

namespace MvcNewtonsoft.Services;

public interface ITodoRepository
{
    TodoItem Add(TodoItem item);
    TodoItem? Find(int id);
    IReadOnlyList<TodoItem> All();
}

/// <summary>The app's store: one per container (singleton).</summary>
public sealed class InMemoryTodoRepository : ITodoRepository
{
    private readonly ConcurrentDictionary<int, TodoItem> _items = new();
    private int _lastId;

    public TodoItem Add(TodoItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Id = Interlocked.Increment(ref _lastId);
        _items[item.Id] = item;
        return item;
    }

    public TodoItem? Find(int id) => _items.GetValueOrDefault(id);

    public IReadOnlyList<TodoItem> All() => [.. _items.Values.OrderBy(i => i.Id)];
}

/// <summary>The request's unit of work (scoped): maps between the store and the API's DTOs.</summary>
public sealed class TodoService(ITodoRepository repository, PluginContext context, TimeProvider timeProvider)
{
    public TodoDto Create(CreateTodoRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var item = repository.Add(new TodoItem
        {
            Title = request.Title!,
            Priority = request.Priority,
            Due = timeProvider.GetUtcNow().AddDays(request.DueInDays),
            Tags = request.Tags,
            CreatedByGeneration = context.Generation,
        });
        return ToDto(item);
    }

    public TodoDto? Get(int id) => repository.Find(id) is { } item ? ToDto(item) : null;

    public TodoListDto List(Priority? priority, string? tag, int take)
    {
        var matching = repository.All()
            .Where(i => priority is null || i.Priority == priority)
            .Where(i => tag is null || i.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            .ToList();
        return new TodoListDto { Generation = context.Generation, Total = matching.Count, Items = [.. matching.Take(take).Select(ToDto)] };
    }

    private TodoDto ToDto(TodoItem item) => new()
    {
        Id = item.Id,
        Title = item.Title,
        Priority = item.Priority,
        Due = item.Due,
        Tags = item.Tags,
        CreatedByGeneration = item.CreatedByGeneration,
        Generation = context.Generation,
    };
}

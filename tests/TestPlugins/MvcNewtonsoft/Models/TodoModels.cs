using System.ComponentModel.DataAnnotations;

namespace MvcNewtonsoft.Models;

public enum Priority
{
    Low,
    Normal,
    High,
}

/// <summary>The body of <c>POST api/todos</c>; [ApiController] answers 400 with the errors when it is invalid.</summary>
public sealed class CreateTodoRequest
{
    [Required]
    [StringLength(80, MinimumLength = 3)]
    public string? Title { get; set; }

    [EnumDataType(typeof(Priority))]
    public Priority Priority { get; set; } = Priority.Normal;

    [Range(1, 365)]
    public int DueInDays { get; set; } = 7;

    [MaxLength(5)]
    public List<string> Tags { get; set; } = [];
}

/// <summary>A stored to-do item.</summary>
public sealed class TodoItem
{
    public int Id { get; set; }
    public string Title { get; set; } = "";
    public Priority Priority { get; set; }
    public DateTimeOffset Due { get; set; }
    public List<string> Tags { get; set; } = [];
    public long CreatedByGeneration { get; set; }
}

/// <summary>What the API returns for one item.</summary>
public sealed class TodoDto
{
    public int Id { get; set; }
    public string Title { get; set; } = "";
    public Priority Priority { get; set; }
    public DateTimeOffset Due { get; set; }
    public IReadOnlyList<string> Tags { get; set; } = [];
    public long CreatedByGeneration { get; set; }
    public long Generation { get; set; }
}

/// <summary>What the API returns for a list.</summary>
public sealed class TodoListDto
{
    public long Generation { get; set; }
    public int Total { get; set; }
    public IReadOnlyList<TodoDto> Items { get; set; } = [];
}

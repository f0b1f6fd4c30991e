using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using MvcNewtonsoft.Models;
using MvcNewtonsoft.Services;

namespace MvcNewtonsoft.Controllers;

[ApiController]
[Route("api/todos")]
public sealed class TodosController(TodoService todos) : ControllerBase
{
    /// <summary>GET api/todos?priority=High&amp;tag=home&amp;take=10</summary>
    [HttpGet]
    public ActionResult<TodoListDto> List([FromQuery] Priority? priority, [FromQuery] string? tag, [FromQuery, Range(1, 100)] int take = 20)
        => todos.List(priority, tag, take);

    /// <summary>GET api/todos/3</summary>
    [HttpGet("{id:int}")]
    public ActionResult<TodoDto> Get(int id)
        => todos.Get(id) is { } todo ? todo : NotFound();

    /// <summary>POST api/todos with a JSON body; an invalid body never gets here (automatic 400).</summary>
    [HttpPost]
    public ActionResult<TodoDto> Create([FromBody] CreateTodoRequest request)
    {
        var created = todos.Create(request);
        return CreatedAtAction(nameof(Get), new { id = created.Id }, created);
    }
}

using Microsoft.AspNetCore.Mvc;

namespace UnmodifiedMvcApp.Controllers;

[ApiController]
[Route("")]
public sealed class CatalogController(Catalog catalog, IWebHostEnvironment environment) : ControllerBase
{
    public static readonly string Instance = Guid.NewGuid().ToString("N");

    [HttpGet]
    public IActionResult Get() => Ok(new
    {
        app = environment.ApplicationName,
        title = catalog.Title,
        seeded = catalog.Seeded,
        instance = Instance,
        contentRoot = environment.ContentRootPath,
        pathBase = Request.PathBase.Value,
        link = Url.Action(nameof(GetItem), new { id = 1 }),
    });

    [HttpGet("items/{id:int}", Name = nameof(GetItem))]
    public IActionResult GetItem(int id) => catalog.Items.FirstOrDefault(i => i.Id == id) is { } item ? Ok(item) : NotFound();

    [HttpPost("items")]
    public IActionResult Add(Item item)
    {
        catalog.Add(item);
        return CreatedAtRoute(nameof(GetItem), new { id = item.Id }, item);
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;

namespace RealStackApp.Controllers;

[ApiController]
public sealed class VersionController(PluginContext context) : ControllerBase
{
    /// <summary>GET /version: what the benchmark polls.</summary>
    [HttpGet("version")]
    public IActionResult Get() => Ok(new { version = context.Version, generation = context.Generation });

    /// <summary>GET /api/status: the options in force and the background worker's progress.</summary>
    [HttpGet("api/status")]
    public IActionResult Status([FromServices] IOptionsSnapshot<ShopOptions> options, [FromServices] RestockStats stats) => Ok(new
    {
        generation = context.Generation,
        shop = options.Value,
        restock = new { running = stats.Running, rounds = stats.Rounds, restocked = stats.Restocked },
    });
}

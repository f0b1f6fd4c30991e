using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Newtonsoft.Json.Linq;
using PluginHost.Abstractions;

namespace RealStackApp.Controllers;

[ApiController]
[Route("api/pricing")]
public sealed class PricingController(IHttpClientFactory clients, PluginContext context) : ControllerBase
{
    /// <summary>GET api/pricing/quote?item=chair: asks the pricing service through the named client and relays its answer.</summary>
    [HttpGet("quote")]
    public async Task<IActionResult> Quote([FromQuery] string item, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(RealStackAppApp.PricingClient);
        using var response = await client.GetAsync($"echo?text={Uri.EscapeDataString(item)}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return StatusCode(StatusCodes.Status502BadGateway, new { generation = context.Generation, upstreamStatus = (int)response.StatusCode });
        }

        var upstream = JObject.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return Ok(new { generation = context.Generation, item, upstream });
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace HttpClientFactory;

/// <summary>Relays calls to an upstream service, through a named and a typed client as the IHttpClientFactory docs show.</summary>
public sealed class HttpClientFactoryApp : IPluginApp
{
    public const string UpstreamClient = "upstream";

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var upstream = new Uri(context.Settings["upstream"] ?? throw new InvalidOperationException("The app's settings need 'upstream': the base URL to relay to."));
        var caller = $"{context.AppName}/{context.Generation.ToString(CultureInfo.InvariantCulture)}";
        services.AddSingleton(context);
        services.AddHttpClient(UpstreamClient, client =>
        {
            client.BaseAddress = upstream;
            client.DefaultRequestHeaders.Add("X-Caller", caller);
        });
        services.AddHttpClient<EchoClient>(client =>
        {
            client.BaseAddress = upstream;
            client.DefaultRequestHeaders.Add("X-Caller", caller);
            client.Timeout = TimeSpan.FromSeconds(10);
        });
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "http-client-factory");
            var relay = endpoints.MapGroup("/relay");

            relay.MapGet("/named", async (string text, IHttpClientFactory factory, CancellationToken cancellationToken) =>
            {
                var client = factory.CreateClient(UpstreamClient);
                using var response = await client.GetAsync($"echo?text={Uri.EscapeDataString(text)}", cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                using var json = JsonDocument.Parse(body);
                return Results.Json(new { generation = context.Generation, via = "named", status = (int)response.StatusCode, upstream = json.RootElement.Clone() },
                    statusCode: response.IsSuccessStatusCode ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway);
            });

            relay.MapGet("/typed", async (string text, EchoClient echo, CancellationToken cancellationToken) =>
                Results.Ok(new { generation = context.Generation, via = "typed", upstream = await echo.EchoAsync(text, cancellationToken) }));

            relay.MapPost("/typed/reverse", async (ReverseRequest body, EchoClient echo, CancellationToken cancellationToken) =>
                Results.Ok(new { generation = context.Generation, via = "typed", upstream = await echo.ReverseAsync(body.Text, cancellationToken) }));

            relay.MapGet("/typed/status/{code:int}", async (int code, EchoClient echo, CancellationToken cancellationToken) =>
            {
                try
                {
                    return Results.Ok(new { generation = context.Generation, status = await echo.StatusAsync(code, cancellationToken) });
                }
                catch (HttpRequestException ex)
                {
                    return Results.Json(new { generation = context.Generation, error = ex.Message, status = (int?)ex.StatusCode }, statusCode: StatusCodes.Status502BadGateway);
                }
            });
        });
    }
}

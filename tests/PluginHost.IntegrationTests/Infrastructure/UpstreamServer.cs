using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// A tiny real HTTP service on 127.0.0.1 (a free port) for plugins that call an upstream:
/// <c>GET /echo?text=</c> and <c>POST /reverse {text}</c> answer <c>{ text, caller }</c> (caller = the X-Caller header),
/// <c>GET /status/{code}</c> answers that status code.
/// </summary>
public sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<UpstreamServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/echo", (string? text, HttpRequest request) => Results.Json(new EchoAnswer(text ?? "", Caller(request))));
        app.MapPost("/reverse", (EchoRequest body, HttpRequest request) =>
            Results.Json(new EchoAnswer(new string([.. body.Text.Reverse()]), Caller(request))));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new UpstreamServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string? Caller(HttpRequest request) => request.Headers.TryGetValue("X-Caller", out var caller) ? caller.ToString() : null;

    private sealed record EchoRequest(string Text);

    private sealed record EchoAnswer(string Text, string? Caller);
}

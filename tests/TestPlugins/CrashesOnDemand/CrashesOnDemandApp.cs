using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace CrashesOnDemand;

/// <summary>
/// <c>GET /whoami</c>: the process, the client address and scheme, Host, PathBase, Path and user the app sees.
/// <c>POST /upload</c>: reads the body as it streams in and answers its length. <c>GET /stream?chunks=N</c>: N chunks,
/// flushed one by one. <c>/ws</c>: a WebSocket echo. <c>GET /slow?ms=N</c>. <c>POST /crash/{how}</c>: exit, stackoverflow,
/// thread (unhandled exception on a background thread) or oom (allocates on a background thread until the heap is full).
/// </summary>
public sealed class CrashesOnDemandApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWebSockets();
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "crashes-on-demand");
            endpoints.MapGet("/whoami", (HttpContext http) => Results.Json(new Dictionary<string, object?>
            {
                ["pid"] = Environment.ProcessId,
                ["generation"] = context.Generation,
                ["remoteIp"] = http.Connection.RemoteIpAddress?.ToString(),
                ["scheme"] = http.Request.Scheme,
                ["host"] = http.Request.Host.Value,
                ["pathBase"] = http.Request.PathBase.Value,
                ["path"] = http.Request.Path.Value,
                ["user"] = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null,
                ["headers"] = http.Request.Headers.Keys.ToArray(),
            }));
            endpoints.MapPost("/upload", (Delegate)UploadAsync);
            endpoints.MapGet("/stream", StreamAsync);
            endpoints.Map("/ws", EchoAsync);
            endpoints.MapGet("/slow", async (int ms, HttpContext http) =>
            {
                await Task.Delay(ms, http.RequestAborted);
                return "done";
            });
            endpoints.MapPost("/crash/{how}", (string how) => Crash(how));
        });
    }

    private static async Task<IResult> UploadAsync(HttpContext http)
    {
        var buffer = new byte[64 * 1024];
        long length = 0;
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            length += read;
        }

        return Results.Json(new { length });
    }

    private static async Task StreamAsync(HttpContext http, int chunks)
    {
        for (var i = 0; i < chunks; i++)
        {
            await http.Response.WriteAsync($"chunk {i}\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static async Task EchoAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, http.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, http.RequestAborted);
        }
    }

    private static IResult Crash(string how)
    {
        switch (how)
        {
            case "exit":
                Environment.Exit(3);
                break;
            case "stackoverflow":
                new Thread(() => Recurse(0), 256 * 1024).Start();
                break;
            case "thread":
                new Thread(() => throw new InvalidOperationException("crashed on purpose on a background thread")).Start();
                break;
            case "oom":
                new Thread(FillTheHeap).Start();
                break;
            default:
                return Results.BadRequest("how: exit, stackoverflow, thread or oom");
        }

        return Results.Accepted();
    }

    private static int Recurse(int depth) => Recurse(depth + 1) + 1;

    private static readonly List<byte[]> Hoard = [];

    private static void FillTheHeap()
    {
        while (true)
        {
            var block = new byte[8 * 1024 * 1024];
            Array.Fill(block, (byte)1);
            Hoard.Add(block);
        }
    }
}

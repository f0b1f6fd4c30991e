using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using PluginHost.Core.Generations;
using PluginHost.Core.Workers;

namespace PluginHost.Workers;

/// <summary>
/// The first middleware of a worker: only requests carrying the host's secret get in (everything else is 403, so the
/// client address, scheme and user the host sent with it can be trusted); the host's readiness probe is answered here.
/// The protocol's headers are taken off before the app runs: it sees the request's headers as an in-process app would.
/// </summary>
internal sealed class WorkerGate(string key, CurrentGeneration current)
{
    private readonly byte[] _key = MemoryMarshal.AsBytes(key.AsSpan()).ToArray();

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(request.Headers[WorkerProtocol.KeyHeader].ToString().AsSpan()), _key))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        if (request.Path.Equals(WorkerProtocol.ReadyPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = current.Value is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        }

        var headers = request.Headers;
        if (IPAddress.TryParse(headers[WorkerProtocol.ClientHeader].ToString(), out var client))
        {
            context.Connection.RemoteIpAddress = client;
        }

        if (headers[WorkerProtocol.SchemeHeader].ToString() is { Length: > 0 } scheme)
        {
            request.Scheme = scheme;
        }

        if (headers[WorkerProtocol.UserHeader].ToString() is { Length: > 0 } user)
        {
            // The user the host authenticated (auth runs in the host, before forwarding), as in-process apps see it.
            var kind = headers[WorkerProtocol.AuthHeader].ToString();
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Uri.UnescapeDataString(user))], kind.Length > 0 ? kind : "PluginHost"));
        }

        foreach (var name in WorkerProtocol.Headers)
        {
            headers.Remove(name);
        }

        return next(context);
    }
}

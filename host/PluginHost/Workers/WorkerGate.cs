using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using PluginHost.Core.Generations;
using PluginHost.Core.Workers;

namespace PluginHost.Workers;

/// <summary>
/// The first middleware of a worker: only requests carrying the host's secret get in (everything else is 403, so the
/// forwarded client address, scheme and user that follow can be trusted); the host's readiness probe is answered here.
/// </summary>
internal sealed class WorkerGate(string key, CurrentGeneration current)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers[WorkerProtocol.KeyHeader].ToString()), _key))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        if (request.Path.Equals(WorkerProtocol.ReadyPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = current.Value is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        }

        if (request.Headers[WorkerProtocol.UserHeader].ToString() is { Length: > 0 } user)
        {
            // The user the host authenticated (auth runs in the host, before forwarding), as in-process apps see it.
            var scheme = request.Headers[WorkerProtocol.AuthHeader].ToString();
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Uri.UnescapeDataString(user))], scheme.Length > 0 ? scheme : "PluginHost"));
        }

        return next(context);
    }
}

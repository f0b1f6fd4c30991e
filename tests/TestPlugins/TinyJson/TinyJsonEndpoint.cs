using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TinyJson;

/// <summary>
/// The endpoint measured by the request-overhead benchmark, shared by the plugin and the bare Kestrel baseline
/// so that both serve exactly the same handler and serializer. A plain <see cref="RequestDelegate"/>: no parameter
/// binding, nothing of the plugin cached by the framework.
/// </summary>
public static class TinyJsonEndpoint
{
    private static readonly Greeting Document = new("Hello, World!", 1);

    public static IEndpointConventionBuilder MapTinyJson(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, static context =>
            context.Response.WriteAsJsonAsync(Document, TinyJsonContext.Default.Greeting, cancellationToken: context.RequestAborted));
    }
}

/// <summary>The document: a message and a number.</summary>
public sealed record Greeting(string Message, int Id);

/// <summary>Source-generated: nothing of the plugin lands in the framework's reflection caches.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Greeting))]
internal sealed partial class TinyJsonContext : JsonSerializerContext;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PluginHost.IntegrationTests.Infrastructure;
using Xunit.Sdk;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// Talks to one app on its mount like a browser would (the caller's client keeps cookies and does not follow redirects)
/// and checks what every answer must show: the expected status, the <c>X-Plugin-Generation</c> header of the expected
/// generation and, when a JSON object has a top-level <c>generation</c>, that too.
/// </summary>
public sealed partial class AppClient(HttpClient client, string mount, long expectedGeneration)
{
    public const string GenerationHeader = "X-Plugin-Generation";

    public long Generation => expectedGeneration;

    /// <summary>The URL of a path of the app: the mount and the path.</summary>
    public string Url(string path) => mount.TrimEnd('/') + path;

    public Task<JsonElement> GetJsonAsync(string path, HttpStatusCode status = HttpStatusCode.OK) =>
        SendJsonAsync(HttpMethod.Get, path, body: null, status);

    public Task<JsonElement> PostJsonAsync(string path, object body, HttpStatusCode status) =>
        SendJsonAsync(HttpMethod.Post, path, body, status);

    public async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, object? body, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(method, Url(path)) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await SendAsync(request, status);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return default;
        }

        var json = JsonDocument.Parse(text).RootElement.Clone();
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("generation", out var generation))
        {
            Assert.True(generation.GetInt64() == expectedGeneration,
                $"{method} {path}: the body says generation {generation}, expected {expectedGeneration}: {Shorten(text)}");
        }

        return json;
    }

    /// <summary>Polls <c>GET path</c> until <paramref name="until"/> holds; on timeout, the message shows the last answer.</summary>
    public async Task<JsonElement> PollJsonAsync(string path, Func<JsonElement, bool> until, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(until);
        var last = default(JsonElement);
        try
        {
            await Eventually.WaitAsync(async () => until(last = await GetJsonAsync(path)), what, timeout);
            return last;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last answer of GET {path}: {last}", ex);
        }
    }

    public async Task<string> GetHtmlAsync(string path, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        using var response = await SendAsync(request, status);
        return await response.Content.ReadAsStringAsync();
    }

    public Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, HttpStatusCode status)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(path)) { Content = new FormUrlEncodedContent(fields) };
        return SendAsync(request, status, disposeRequest: true);
    }

    /// <summary>Sends, then checks status and generation header; the caller disposes the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpStatusCode status, bool disposeRequest = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var response = await client.SendAsync(request);
            var what = $"{request.Method} {request.RequestUri}";
            if (response.StatusCode != status)
            {
                var body = await response.Content.ReadAsStringAsync();
                response.Dispose();
                throw new XunitException($"{what}: expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
            }

            var header = response.Headers.TryGetValues(GenerationHeader, out var values) ? values.FirstOrDefault() : null;
            if (header != expectedGeneration.ToString(CultureInfo.InvariantCulture))
            {
                response.Dispose();
                throw new XunitException($"{what}: answered by generation {header ?? "(no header)"}, expected {expectedGeneration}");
            }

            return response;
        }
        finally
        {
            if (disposeRequest)
            {
                request.Dispose();
            }
        }
    }

    /// <summary>The value of the named input (the antiforgery token's hidden field by default) of the page.</summary>
    public static string InputValue(string html, string name = "__RequestVerificationToken")
    {
        ArgumentNullException.ThrowIfNull(html);
        foreach (Match input in InputTag().Matches(html))
        {
            var attributes = Attribute().Matches(input.Value).ToDictionary(a => a.Groups["name"].Value, a => a.Groups["value"].Value, StringComparer.OrdinalIgnoreCase);
            if (attributes.GetValueOrDefault("name") == name)
            {
                return WebUtility.HtmlDecode(attributes.GetValueOrDefault("value") ?? "");
            }
        }

        throw new XunitException($"no input named {name} in the page: {Shorten(html)}");
    }

    /// <summary>A redirect's target as path and query, whether the app sent it absolute or relative.</summary>
    public static string? RedirectTarget(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location;
        return location is null ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    public static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("(?<name>[\\w-]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();
}

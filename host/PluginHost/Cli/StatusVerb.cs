using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PluginHost.Core.Configuration;

namespace PluginHost.Cli;

/// <summary>'status': asks the running host's admin surface (GET {admin.path}/status) and prints a readable summary.</summary>
internal static class StatusVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the host's answer",
            HelpName = "seconds",
            DefaultValueFactory = _ => 5,
        };
        var json = new Option<bool>("--json") { Description = "Print the host's JSON answer as is" };
        var command = new Command("status", "Ask the running host for each app's version, generation and last reload") { timeout, json };
        CliAction.Set(command, services, config, async context =>
        {
            var hostConfig = context.LoadConfig();
            var url = StatusUrl(hostConfig);
            var (_, body) = await AdminRequestAsync(context, hostConfig, HttpMethod.Get, url, TimeSpan.FromSeconds(Math.Max(0.1, context.GetValue(timeout)))).ConfigureAwait(false);
            if (context.GetValue(json))
            {
                await context.Out.WriteLineAsync(body).ConfigureAwait(false);
                return CliAction.Ok;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException exception)
            {
                throw new CliUserException($"{url} did not answer with JSON ({exception.Message}); is another program listening there?");
            }

            using (document)
            {
                await context.Out.WriteLineAsync($"host status ({url}):").ConfigureAwait(false);
                foreach (var line in Summarise(document.RootElement, "  "))
                {
                    await context.Out.WriteLineAsync(line).ConfigureAwait(false);
                }
            }

            return CliAction.Ok;
        });
        return command;
    }

    internal static Uri StatusUrl(HostConfig config) => AdminUrl(config, "status");

    /// <summary>
    /// A URL of the admin surface: an admin URL, else a server URL, plain http preferred (a certificate issued for the
    /// site's name cannot be verified for a loopback address); wildcard hosts become loopback.
    /// </summary>
    internal static Uri AdminUrl(HostConfig config, string relative)
    {
        var urls = config.Admin.Urls.Count > 0 ? config.Admin.Urls : config.Server.Urls;
        var listen = urls.FirstOrDefault(url => !ListenUrl.IsHttps(url)) ?? urls.FirstOrDefault()
            ?? throw new CliUserException("config has no server.urls or admin.urls: cannot tell where the host listens");
        var local = listen
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://[::1]", StringComparison.Ordinal);
        if (!Uri.TryCreate(local.TrimEnd('/') + "/" + config.Admin.Path.Trim('/') + "/" + relative, UriKind.Absolute, out var url))
        {
            throw new CliUserException($"cannot build the status URL from '{listen}' and admin.path '{config.Admin.Path}'");
        }

        return url;
    }

    /// <summary>
    /// Sends one request to the running host's admin surface (with admin.token when set) and returns status and body;
    /// a refusal, a missing host or no answer within <paramref name="timeout"/> is a user error naming the cause.
    /// </summary>
    /// <param name="failureBodies">Statuses besides 200 whose body is returned to the caller rather than reported.</param>
    internal static async Task<(HttpStatusCode Status, string Body)> AdminRequestAsync(CliContext context, HostConfig config, HttpMethod method, Uri url,
        TimeSpan timeout, params HttpStatusCode[] failureBodies)
    {
        using var client = context.Services.CreateHttpClient();
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (config.Admin.Token is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => (response.StatusCode, body),
                var status when failureBodies.Contains(status) => (status, body),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => throw new CliUserException(
                    $"{url} refused the request ({(int)response.StatusCode} {response.StatusCode}): check admin.token and that this machine is in admin.allow"),
                HttpStatusCode.NotFound => throw new CliUserException($"{url} answered 404: is admin.path '{config.Admin.Path}' right, and is this a PluginHost?"),
                _ => throw new CliUserException($"{url} answered {(int)response.StatusCode} {response.StatusCode}"),
            };
        }
        catch (HttpRequestException exception) when (exception.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new CliUserException($"cannot verify the certificate the host presents at {url.GetLeftPart(UriPartial.Authority)} "
                + $"({exception.InnerException.Message}); for local tools (and 'systemctl reload') give admin.urls a plain http URL on loopback, "
                + "e.g. admin.urls: [http://127.0.0.1:8081]");
        }
        catch (HttpRequestException exception)
        {
            throw new CliUserException($"the host is not running at {url.GetLeftPart(UriPartial.Authority)} ({exception.Message}); start it with 'pluginhost serve'");
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw new CliUserException($"no answer from {url} within {timeout.TotalSeconds:0.#}s; is the host running and healthy?");
        }
    }

    /// <summary>Flattens the host's JSON into 'key: value' lines; arrays of objects (e.g. apps) get one block per item.</summary>
    internal static IEnumerable<string> Summarise(JsonElement element, string indent)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield return indent + Scalar(element);
            yield break;
        }

        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                yield return $"{indent}{property.Name}:";
                foreach (var line in Summarise(value, indent + "  "))
                {
                    yield return line;
                }
            }
            else if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object))
            {
                yield return $"{indent}{property.Name}:";
                foreach (var item in value.EnumerateArray())
                {
                    var lines = Summarise(item, indent + "    ").ToList();
                    if (lines.Count > 0)
                    {
                        lines[0] = indent + "  - " + lines[0].TrimStart();
                    }

                    foreach (var line in lines)
                    {
                        yield return line;
                    }
                }
            }
            else
            {
                yield return $"{indent}{property.Name}: {Scalar(value)}";
            }
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "-",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Scalar)) + "]",
        _ => value.GetRawText(),
    };
}

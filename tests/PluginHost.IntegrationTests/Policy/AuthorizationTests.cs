using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PluginHost.Abstractions;
using PluginHost.Core.Authentication;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Issue 5: Authorization pass-through and host-side authentication per mount, seen through GET /api/v1/headers.</summary>
public sealed class AuthorizationTests : HostPerTest
{
    protected override void Arrange()
    {
        Releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"));
        Releases.Promote("v1");
    }

    private async Task<HostRunner> StartAsync(string appLines)
    {
        PolicyConfig.Write(Releases, PolicyConfig.ReportingApi(appLines));
        return await StartHostAsync();
    }

    private static async Task<(HttpStatusCode Status, HashSet<string> Headers, string? User, HttpResponseMessage Response)> GetHeadersAsync(
        HostRunner host, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/headers");
        configure(request);
        var response = await host.Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, [], null, response);
        }

        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var names = json.GetProperty("headers").EnumerateArray().Select(n => n.GetString()!.ToLowerInvariant()).ToHashSet();
        var user = json.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        return (response.StatusCode, names, user, response);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Authorization_Default_StrippedBeforeTheApp()
    {
        var host = await StartAsync("");

        var (status, headers, _, _) = await GetHeadersAsync(host, r =>
        {
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "other-apps-token");
            r.Headers.Add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
            r.Headers.Add("X-Custom", "kept");
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("authorization", headers);
        Assert.DoesNotContain("proxy-authorization", headers);
        Assert.Contains("x-custom", headers);
    }

    [Fact]
    public async Task Authorization_PassAuthorizationTrue_ReachesTheApp()
    {
        var host = await StartAsync("passAuthorization: true");

        var (status, headers, _, _) = await GetHeadersAsync(host, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("authorization", headers);
    }

    [Fact]
    public async Task AuthenticatedUserHeader_SentByTheClient_NeverReachesTheApp()
    {
        var host = await StartAsync("");

        var (status, headers, user, _) = await GetHeadersAsync(host, r => r.Headers.Add(PluginHeaders.AuthenticatedUser, "admin"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(user);
        Assert.DoesNotContain(PluginHeaders.AuthenticatedUser.ToLowerInvariant(), headers);
    }

    [Fact]
    public async Task ApiKey_GoodKey_AppSeesTheNameButNotTheKey()
    {
        await WriteKeysAsync(("reporting-batch", GoodKey), ("dashboard", OtherKey));
        var host = await StartAsync(ApiKeyAuth);

        var (status, headers, user, _) = await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", GoodKey));
        var again = await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", OtherKey));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("reporting-batch", user);
        Assert.DoesNotContain("x-report-key", headers);
        Assert.DoesNotContain("authorization", headers);
        Assert.Equal("dashboard", again.User);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("k-wrong")]
    [InlineData("K-GOOD-123-DGVZDCBRZXKGB25LIGZVCIB0AGUGAG9ZDA")]
    public async Task ApiKey_MissingOrWrongKey_401WithChallenge(string? key)
    {
        await WriteKeysAsync(("reporting-batch", GoodKey));
        var host = await StartAsync(ApiKeyAuth);

        var (status, _, _, response) = await GetHeadersAsync(host, r =>
        {
            if (key is not null)
            {
                r.Headers.TryAddWithoutValidation("X-Report-Key", key);
            }
        });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("ApiKey header=\"X-Report-Key\"", response.Headers.WwwAuthenticate.ToString());
        var refused = Assert.Single(host.Logs.Events, e => e.Properties.TryGetValue("EventId", out var id) && id.ToString().Contains("AuthenticationRefused", StringComparison.Ordinal));
        Assert.Equal(("ReportingApi", "v1", "1"), (CollectingSink.Property(refused, "App"), CollectingSink.Property(refused, "Version"), CollectingSink.Property(refused, "Generation")));
    }

    [Fact]
    public async Task Basic_GoodCredentials_AppSeesTheUserButNotTheAuthorizationHeader()
    {
        await WriteUsersAsync(("alice", "wonderland"));
        // passAuthorization does not hand on the credentials the host consumed.
        var host = await StartAsync(BasicAuth + "\npassAuthorization: true");

        var (status, headers, user, _) = await GetHeadersAsync(host, r => r.Headers.Authorization = Basic("alice", "wonderland"));

        Assert.True(status == HttpStatusCode.OK, string.Join("\n", host.Logs.Messages));
        Assert.Equal("alice", user);
        Assert.DoesNotContain("authorization", headers);
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("mallory", "wonderland")]
    [InlineData("", "")]
    public async Task Basic_BadCredentials_401WithBasicChallenge(string user, string password)
    {
        await WriteUsersAsync(("alice", "wonderland"));
        var host = await StartAsync(BasicAuth);

        var (status, _, _, response) = await GetHeadersAsync(host, r => r.Headers.Authorization = Basic(user, password));
        var none = await GetHeadersAsync(host, _ => { });
        var bearer = await GetHeadersAsync(host, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Basic realm=\"Reports\", charset=\"UTF-8\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.Status);
    }

    [Fact]
    public async Task Basic_UsersFileChangedAndReloaded_NewUsersApplyAndOldContextCollected()
    {
        await WriteUsersAsync(("alice", "wonderland"));
        var host = await StartAsync(BasicAuth);
        Assert.Equal(HttpStatusCode.OK, (await GetHeadersAsync(host, r => r.Headers.Authorization = Basic("alice", "wonderland"))).Status);

        await WriteUsersAsync(("bob", "builder"));
        var before = host.GenerationNumber;
        Releases.Touch();
        await host.WaitForGenerationAsync(before, "a reload after the users file changed");

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetHeadersAsync(host, r => r.Headers.Authorization = Basic("alice", "wonderland"))).Status);
        Assert.Equal("bob", (await GetHeadersAsync(host, r => r.Headers.Authorization = Basic("bob", "builder"))).User);
        Assert.Empty(await host.CollectRetiredAsync());
    }

    [Fact]
    public async Task Basic_UsersFileMissingOnReload_KeepsServingAndDoesNotMarkTheReleaseBad()
    {
        await WriteUsersAsync(("alice", "wonderland"));
        var host = await StartAsync(BasicAuth);
        var reloadsBefore = host.Coordinator.History.Count;

        File.Delete(Path.Combine(Releases.Root, "users.txt"));
        Releases.Touch();
        await host.WaitForReloadResultAsync(reloadsBefore, "the failed reload without a users file");

        Assert.False(host.Coordinator.LastResult!.Ok);
        Assert.Contains("users.txt", host.Coordinator.LastResult.Error);
        // Issue 12: the path is named once, not twice.
        var usersPath = Path.Combine(Releases.Root, "users.txt");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(host.Coordinator.LastResult.Error!, System.Text.RegularExpressions.Regex.Escape(usersPath)));
        Assert.Equal("alice", (await GetHeadersAsync(host, r => r.Headers.Authorization = Basic("alice", "wonderland"))).User);
        var history = Path.Combine(Releases.ReleasesRoot, "history.log");
        Assert.DoesNotContain("\"action\":\"bad\"", File.Exists(history) ? await File.ReadAllTextAsync(history) : "");
        Assert.Empty(await host.CollectRetiredAsync());
    }

    /// <summary>Issue 12: with auth.keySecretEnv the keys' hashes are keyed by a secret from the environment.</summary>
    [Fact]
    public async Task ApiKey_KeySecretFromTheEnvironment_KeyHashedUnderItAccepted_AndAMissingVariableStopsTheStart()
    {
        var variable = "PLUGINHOST_TEST_KEY_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        const string Secret = "dGhlIHNlY3JldCBvZiB0aGUga2V5ZWQgaGFzaCBvZiB0aGlzIHRlc3Q";
        await File.WriteAllLinesAsync(Path.Combine(Releases.Root, "users.txt"), [PasswordHasher.FormatApiKeyLine("reporting-batch", GoodKey, Secret)]);
        var config = ApiKeyAuth + $"\n  keySecretEnv: {variable}";
        PolicyConfig.Write(Releases, PolicyConfig.ReportingApi(config));

        var missing = await Assert.ThrowsAsync<PluginHost.Core.Generations.GenerationBuildException>(() => HostRunner.StartAsync(Releases.ConfigPath));
        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            var host = await StartAsync(config);

            Assert.Equal("reporting-batch", (await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", GoodKey))).User);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", OtherKey))).Status);
            Assert.Contains($"auth.keySecretEnv names the environment variable {variable}, which is not set", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>Issue 12: failed authentications are rate-limited per client address (ASP.NET Core's rate limiter).</summary>
    [Fact]
    public async Task ApiKey_MoreWrongKeysThanMaxFailures_429WithRetryAfterForThatAddressOnly()
    {
        await WriteKeysAsync(("reporting-batch", GoodKey));
        var host = await StartAsync(ApiKeyAuth + "\n  maxFailures: 3\n  failureWindow: 1m");

        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            wrong.Add((await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", "k-wrong"))).Status);
        }

        var (limited, _, _, response) = await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", "k-wrong"));
        var goodKeySameAddress = await GetHeadersAsync(host, r => r.Headers.Add("X-Report-Key", GoodKey));
        using var otherAddress = TestClients.Create(host.Address, source: IPAddress.Parse("127.0.0.2"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/headers") { Headers = { { "X-Report-Key", GoodKey } } };
        using var fromOtherAddress = await otherAddress.SendAsync(request);

        Assert.All(wrong, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.TooManyRequests, goodKeySameAddress.Status);
        Assert.Equal(HttpStatusCode.OK, fromOtherAddress.StatusCode);
        Assert.Contains(host.Logs.Events, e => e.MessageTemplate.Text.Contains("refused with 429", StringComparison.Ordinal));
    }

    private const string ApiKeyAuth = """
        auth:
          scheme: apiKey
          header: X-Report-Key
          usersFile: users.txt
        """;

    private const string BasicAuth = """
        auth:
          scheme: basic
          realm: Reports
          usersFile: users.txt
        """;

    private const string GoodKey = "k-good-123-dGVzdCBrZXkgb25lIGZvciB0aGUgaG9zdA";
    private const string OtherKey = "k-other-456-dGVzdCBrZXkgdHdvIGZvciB0aGUgaG9zdA";

    private Task WriteKeysAsync(params (string Name, string Key)[] keys) =>
        File.WriteAllLinesAsync(Path.Combine(Releases.Root, "users.txt"),
            ["# written by the test", .. keys.Select(k => PasswordHasher.FormatApiKeyLine(k.Name, k.Key))]);

    private Task WriteUsersAsync(params (string Name, string Secret)[] users) =>
        File.WriteAllLinesAsync(Path.Combine(Releases.Root, "users.txt"),
            ["# written by the test", .. users.Select(u => PasswordHasher.FormatLine(u.Name, u.Secret, PasswordHasher.MinIterations))]);
}

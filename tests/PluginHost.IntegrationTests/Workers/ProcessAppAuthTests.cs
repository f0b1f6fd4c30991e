using System.Net;
using System.Net.Http.Json;
using PluginHost.Core.Authentication;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>A process app's auth runs in the host, before anything is forwarded; the app sees the user as in-process.</summary>
public sealed class ProcessAppAuthTests : HostedTest
{
    private const string Key = "worker-test-key-0123456789-abcdefghijklmnop";

    protected override void Arrange()
    {
        ProcessApps.CreateReleases(Releases);
        File.WriteAllLines(Path.Combine(Releases.Root, "keys.txt"), [PasswordHasher.FormatApiKeyLine("batch-job", Key)]);
        ProcessApps.WriteConfig(Releases, crashyExtra: """
            auth:
              scheme: apiKey
              usersFile: keys.txt
            """);
    }

    [Fact]
    public async Task TheHostAuthenticates_AndTheWorkerSeesTheUser()
    {
        var pid = await ProcessApps.WorkerPidAsync(Host, "Crashy");
        using var refused = await Host.Client.GetAsync("/crashy/whoami");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/crashy/whoami");
        request.Headers.Add("X-Api-Key", Key);
        using var allowed = await Host.Client.SendAsync(request);
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/v1/version");
        forged.Headers.Add("X-PluginHost-User", "mallory");
        forged.Headers.Add("X-PluginHost-Worker-Key", "guess");
        using var forgedResponse = await Host.Client.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var whoami = await allowed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("batch-job", whoami.GetProperty("user").GetString());
        Assert.Equal(pid, whoami.GetProperty("pid").GetInt32());
        Assert.Equal(HttpStatusCode.OK, forgedResponse.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Issue 5: <c>static:</c> folders served by the host under the app's mount, and nothing else.</summary>
public sealed class StaticFileTests : HostedTest
{
    protected override void Arrange()
    {
        var release = Releases.CreateRelease("v1", ("ReportingApi", "ReportingApi"));
        var app = Path.Combine(release, "ReportingApi");
        var wwwroot = Path.Combine(app, "wwwroot");
        Directory.CreateDirectory(Path.Combine(wwwroot, "docs"));
        File.WriteAllText(Path.Combine(wwwroot, "hello.txt"), "hello from wwwroot");
        File.WriteAllText(Path.Combine(wwwroot, "docs", "guide.html"), "<h1>guide</h1>");
        File.WriteAllText(Path.Combine(wwwroot, "data.json"), "{\"ok\":true}");
        File.WriteAllText(Path.Combine(wwwroot, ".secret"), "dot file");
        File.WriteAllText(Path.Combine(wwwroot, "appsettings.json"), "{}");
        File.WriteAllText(Path.Combine(wwwroot, "web.config"), "<configuration/>");
        File.WriteAllText(Path.Combine(app, "secret.txt"), "outside the static folder");
        foreach (var code in new[] { "ReportingApi.dll", "ReportingApi.deps.json", "ReportingApi.pdb" })
        {
            File.Copy(Path.Combine(app, code), Path.Combine(wwwroot, code));
        }

        File.WriteAllText(Path.Combine(wwwroot, "ReportingApi.runtimeconfig.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(wwwroot, "escape.txt"), Releases.ConfigPath);
        File.CreateSymbolicLink(Path.Combine(wwwroot, "relative-escape.txt"), "../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(wwwroot, "up"), Releases.Root);
        Releases.Promote("v1");
        PolicyConfig.Write(Releases, PolicyConfig.ReportingApi("static: wwwroot"));
    }

    [Theory]
    [InlineData("/api/v1/hello.txt", "text/plain", "hello from wwwroot")]
    [InlineData("/api/v1/docs/guide.html", "text/html", "<h1>guide</h1>")]
    [InlineData("/api/v1/data.json", "application/json", "{\"ok\":true}")]
    public async Task StaticFile_InsideTheFolder_ServedWithTypeETagAndLastModified(string path, string contentType, string body)
    {
        using var response = await Host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(response.Headers.ETag);
        using var notModified = await Host.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task StaticFile_NotInTheFolder_FallsThroughToTheApp()
    {
        using var response = await Host.Client.GetAsync("/api/v1/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ReportingApi", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/../../config.yaml")]
    [InlineData("/api/v1/../ReportingApi/secret.txt")]
    [InlineData("/api/v1/%2e%2e/secret.txt")]
    [InlineData("/api/v1/%2E%2E/%2E%2E/config.yaml")]
    [InlineData("/api/v1/..%2fsecret.txt")]
    [InlineData("/api/v1/..%2Fsecret.txt")]
    [InlineData("/api/v1/%2e%2e%2fsecret.txt")]
    [InlineData("/api/v1/%2e%2e%2f%2e%2e%2fconfig.yaml")]
    [InlineData("/api/v1/%252e%252e/secret.txt")]
    [InlineData("/api/v1/..\\secret.txt")]
    [InlineData("/api/v1/..%5csecret.txt")]
    [InlineData("/api/v1/docs/..%5c..%5csecret.txt")]
    [InlineData("/api/v1/hello.txt/../../secret.txt")]
    [InlineData("/api/v1/./../secret.txt")]
    [InlineData("/api/v1//etc/passwd")]
    [InlineData("/api/v1/%2fetc%2fpasswd")]
    [InlineData("/api/v1/C:/Windows/win.ini")]
    [InlineData("/api/v1/escape.txt")]
    [InlineData("/api/v1/relative-escape.txt")]
    [InlineData("/api/v1/up/config.yaml")]
    [InlineData("/api/v1/up/releases/v1/ReportingApi/secret.txt")]
    [InlineData("/api/v1/ReportingApi.dll")]
    [InlineData("/api/v1/ReportingApi.DLL")]
    [InlineData("/api/v1/ReportingApi.deps.json")]
    [InlineData("/api/v1/ReportingApi.runtimeconfig.json")]
    [InlineData("/api/v1/ReportingApi.pdb")]
    [InlineData("/api/v1/appsettings.json")]
    [InlineData("/api/v1/web.config")]
    [InlineData("/api/v1/.secret")]
    [InlineData("/api/v1/%2esecret")]
    [InlineData("/api/v1/hello.txt%00.html")]
    [InlineData("/api/v1/docs/")]
    [InlineData("http://127.0.0.1/api/v1/../../config.yaml")]
    public async Task Traversal_RawRequestTarget_NeverServesAFile(string target)
    {
        var status = await RawHttp.GetStatusAsync(Host.Address, target);

        Assert.True(status is 400 or 404, $"GET {target} answered {status}");
    }

    [Fact]
    public async Task Traversal_HttpClientWithoutCanonicalisation_404()
    {
        var uri = new Uri(Host.Address, "/api/v1/%2e%2e/%2e%2e/config.yaml").ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));

        using var response = await Host.Client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"answered {response.StatusCode}");
    }
}

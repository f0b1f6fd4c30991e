using System.Net;
using PluginHost.IntegrationTests.RealApps.Scenarios;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// A signed-in user stays signed in across deploys: the authentication cookie issued by one generation must be accepted by
/// the next, after a redeploy (trigger) and after a promote of another release folder. Needs the app's data-protection key
/// ring to outlive the generation.
/// </summary>
public sealed class CookieAcrossGenerationsTests : IAsyncLifetime
{
    private readonly CookieAuthScenario _scenario = new();
    private RealAppDeployment _deployment = null!;

    public async Task InitializeAsync() => _deployment = await RealAppDeployment.StartAsync(_scenario, versions: ["v1", "v2"]);

    public async Task DisposeAsync() => await _deployment.DisposeAsync();

    [Fact]
    public async Task AuthCookie_IssuedByOneGeneration_IsAcceptedAfterReloadAndPromote()
    {
        var cookies = new CookieContainer();
        using var browser = _deployment.CreateBrowser(cookies);
        var issuer = _deployment.Host.GenerationNumber;
        await CookieAuthScenario.SignInAsync(_deployment.App(browser));

        await _deployment.ReloadAsync("the redeploy after signing in");
        var afterRedeploy = await CookieAuthScenario.WhoAmIAsync(_deployment.App(browser));

        await _deployment.ReloadAsync("the promote of v2", promote: "v2");
        var afterPromote = await CookieAuthScenario.WhoAmIAsync(_deployment.App(browser));

        Assert.Equal(issuer, afterRedeploy);
        Assert.Equal(issuer, afterPromote);
        Assert.Equal(issuer + 2, _deployment.Host.GenerationNumber);
    }

    [Fact]
    public async Task AntiforgeryToken_FromOneGeneration_IsAcceptedByTheNext()
    {
        using var browser = _deployment.CreateBrowser();
        var token = AppClient.InputValue(await _deployment.App(browser).GetHtmlAsync("/login"));

        await _deployment.ReloadAsync("the redeploy between showing and posting the login form");
        using var response = await _deployment.App(browser).PostFormAsync("/login",
            new Dictionary<string, string> { ["user"] = CookieAuthScenario.User, ["password"] = CookieAuthScenario.Password, ["__RequestVerificationToken"] = token },
            HttpStatusCode.Redirect);
    }
}

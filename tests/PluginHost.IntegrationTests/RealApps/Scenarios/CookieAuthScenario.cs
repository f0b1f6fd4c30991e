using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Cookie authentication with antiforgery-protected login and logout forms, and a page that requires a signed-in user.</summary>
public sealed class CookieAuthScenario : RealAppScenario
{
    public const string User = "alice";
    public const string Password = "wonderland";

    public override string Project => "CookieAuth";

    public override string Mount => "/account";

    public override IReadOnlyList<string> Warmup => ["/", "/login"];

    public override string Settings(RealAppEnvironment environment) => $"""
        Users:
          {User}: {Password}
        """;

    /// <summary>GET /login, then POST the form with its token: the client's cookie container then holds the session cookie.</summary>
    public static async Task SignInAsync(AppClient app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var token = AppClient.InputValue(await app.GetHtmlAsync("/login"));
        using var response = await app.PostFormAsync("/login", LoginForm(token, Password), HttpStatusCode.Redirect);
        Assert.Equal(app.Url("/me"), AppClient.RedirectTarget(response));
    }

    /// <summary>GET /me: the signed-in user; returns the generation that issued the cookie.</summary>
    public static async Task<long> WhoAmIAsync(AppClient app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var me = await app.GetJsonAsync("/me");
        Assert.Equal(User, me.Text("user"));
        return me.Number("issuedByGeneration");
    }

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        await paths.RunAsync("GET /me signed out (challenge → redirect to /login)", async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, app.Url("/me"));
            using var response = await app.SendAsync(request, HttpStatusCode.Redirect);
            Assert.StartsWith(app.Url("/login?ReturnUrl="), AppClient.RedirectTarget(response));
        });

        var token = "";
        await paths.RunAsync("GET /login (form with antiforgery token)", async () => token = AppClient.InputValue(await app.GetHtmlAsync("/login")));

        await paths.RunAsync("POST /login with a wrong password (401)", async () =>
            (await app.PostFormAsync("/login", LoginForm(token, "wrong"), HttpStatusCode.Unauthorized)).Dispose());

        await paths.RunAsync("POST /login without antiforgery token (400)", async () =>
            (await app.PostFormAsync("/login", LoginForm(token: null, Password), HttpStatusCode.BadRequest)).Dispose());

        await paths.RunAsync("POST /login, GET /me (signed in by this generation)", async () =>
        {
            await SignInAsync(app);
            Assert.Equal(app.Generation, await WhoAmIAsync(app));
        });

        await paths.RunAsync("GET /logout, POST /logout with its token, GET /me signed out", async () =>
        {
            var logoutToken = AppClient.InputValue(await app.GetHtmlAsync("/logout"));
            using (var response = await app.PostFormAsync("/logout", [new("__RequestVerificationToken", logoutToken)], HttpStatusCode.Redirect))
            {
                Assert.Equal(app.Url("/login"), AppClient.RedirectTarget(response));
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, app.Url("/me"));
            (await app.SendAsync(request, HttpStatusCode.Redirect)).Dispose();
        });
    }

    private static Dictionary<string, string> LoginForm(string? token, string password)
    {
        var form = new Dictionary<string, string> { ["user"] = User, ["password"] = password };
        if (token is not null)
        {
            form["__RequestVerificationToken"] = token;
        }

        return form;
    }
}

using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>Razor Pages: layout, PageModel with an injected service, tag helpers, a form posted back with its antiforgery token.</summary>
public sealed class RazorPagesScenario : RealAppScenario
{
    public override string Project => "RazorPages";

    public override string Mount => "/razor";

    public override IReadOnlyList<string> Warmup => ["/", "/Sign"];

    protected override string InfoPath => "/_plugin";

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        var footer = $"<span id=\"generation\">{app.Generation}</span>";
        await paths.RunAsync("GET / (Index page, layout, tag-helper links under the mount)", async () =>
        {
            var html = await app.GetHtmlAsync("/");
            Assert.Contains("<h1>Guest book</h1>", html);
            Assert.Contains(footer, html);
            Assert.Contains($"href=\"{app.Url("/Sign")}\"", html);
        });

        var token = "";
        await paths.RunAsync("GET /Sign (form with antiforgery token)", async () =>
        {
            var html = await app.GetHtmlAsync("/Sign");
            Assert.Contains("<label for=\"Input_Name\">Your name</label>", html);
            token = AppClient.InputValue(html);
        });

        var message = $"Hello from generation {app.Generation}";
        await paths.RunAsync("POST /Sign (valid form → redirect to Index)", async () =>
        {
            using var response = await app.PostFormAsync("/Sign", Form(token, "Ada", message), HttpStatusCode.Redirect);
            Assert.Equal(app.Url("/"), AppClient.RedirectTarget(response)?.TrimEnd('/') + "/");
        });

        await paths.RunAsync("GET / (shows the new entry)", async () =>
            Assert.Contains($"<q>{message}</q>", await app.GetHtmlAsync("/")));

        await paths.RunAsync("POST /Sign (invalid form → page with validation messages)", async () =>
        {
            using var response = await app.PostFormAsync("/Sign", Form(token, "", "no name"), HttpStatusCode.OK);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("The Your name field is required.", html);
            Assert.Contains(footer, html);
        });

        await paths.RunAsync("POST /Sign without antiforgery token (400)", async () =>
            (await app.PostFormAsync("/Sign", Form(token: null, "Mallory", "forged"), HttpStatusCode.BadRequest)).Dispose());
    }

    private static Dictionary<string, string> Form(string? token, string name, string message)
    {
        var form = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.Message"] = message };
        if (token is not null)
        {
            form["__RequestVerificationToken"] = token;
        }

        return form;
    }
}

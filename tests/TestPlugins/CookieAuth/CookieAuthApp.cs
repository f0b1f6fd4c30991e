using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace CookieAuth;

public sealed class LoginForm
{
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}

/// <summary>Sign-in with a cookie, as the cookie-authentication docs show it, with antiforgery-protected forms.</summary>
public sealed class CookieAuthApp : IPluginApp
{
    public const string IssuedByGenerationClaim = "issued-by-generation";

    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton<UserStore>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "cookieauth.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        services.AddAuthorization();
        services.AddAntiforgery(options => options.Cookie.Name = "cookieauth.antiforgery");
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "cookie-auth");
            MapAccount(endpoints, context);
        });
    }

    private static void MapAccount(IEndpointRouteBuilder endpoints, PluginContext context)
    {
        endpoints.MapGet("/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, "Sign in", $"""
                <form method="post" action="{Encode(http.Request.PathBase)}/login">
                  {HiddenToken(antiforgery, http)}
                  <input type="hidden" name="returnUrl" value="{Encode(returnUrl ?? "")}">
                  <label>User <input name="user" autocomplete="username"></label>
                  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
                  <button type="submit">Sign in</button>
                </form>
                """));

        // [FromForm] makes the endpoint require a valid antiforgery token: UseAntiforgery checks it before the handler runs.
        endpoints.MapPost("/login", async (HttpContext http, [FromForm] LoginForm form, UserStore users) =>
        {
            if (!users.Verify(form.User, form.Password))
            {
                return Results.Content(Html(context, "Sign in failed", "<p id=\"error\">Unknown user or wrong password.</p>"), "text/html", statusCode: StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, form.User!),
                new Claim(ClaimTypes.Role, "member"),
                new Claim(IssuedByGenerationClaim, context.Generation.ToString(CultureInfo.InvariantCulture)),
            ], CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
                new AuthenticationProperties { IsPersistent = true });
            return Results.Redirect(IsLocal(form.ReturnUrl) ? form.ReturnUrl! : $"{http.Request.PathBase}/me");
        });

        endpoints.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(new
        {
            generation = context.Generation,
            user = user.Identity!.Name,
            roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value),
            issuedByGeneration = long.Parse(user.FindFirstValue(IssuedByGenerationClaim) ?? "0", CultureInfo.InvariantCulture),
        })).RequireAuthorization();

        endpoints.MapGet("/logout", (HttpContext http, IAntiforgery antiforgery) =>
            Page(context, "Sign out", $"""
                <form method="post" action="{Encode(http.Request.PathBase)}/logout">
                  {HiddenToken(antiforgery, http)}
                  <button type="submit">Sign out</button>
                </form>
                """)).RequireAuthorization();

        endpoints.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect($"{http.Request.PathBase}/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    private static IResult Page(PluginContext context, string title, string body) => Results.Content(Html(context, title, body), "text/html");

    private static string Html(PluginContext context, string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{Encode(title)}</title></head>
        <body><h1>{Encode(title)}</h1>{body}<footer>generation <span id="generation">{context.Generation}</span></footer></body></html>
        """;

    private static string HiddenToken(IAntiforgery antiforgery, HttpContext http)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">";
    }

    private static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static string Encode(string? value) => WebUtility.HtmlEncode(value ?? "");
}

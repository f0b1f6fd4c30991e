using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Authentication;

/// <summary>
/// One ASP.NET Core authentication scheme per app with <c>auth:</c>, named "app:&lt;name&gt;". The schemes of the
/// first config are registered with the host's <c>AddAuthentication()</c>; apps added or switched between apiKey
/// and basic by a config reload are (re)registered on their first request.
/// </summary>
public sealed class AppAuthenticationSchemes(IAuthenticationSchemeProvider schemes)
{
    private readonly Lock _gate = new();

    public static string SchemeName(string appName) => "app:" + appName;

    public static Type HandlerType(AuthConfig auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        return auth.Scheme == BasicAuthenticationHandler.SchemeKind ? typeof(BasicAuthenticationHandler) : typeof(ApiKeyAuthenticationHandler);
    }

    /// <summary>Returns the app's scheme name, registering or replacing the scheme when its kind changed.</summary>
    public async Task<string> EnsureAsync(AppConfig app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(app.Auth);
        var name = SchemeName(app.Name);
        var handlerType = HandlerType(app.Auth);
        if ((await schemes.GetSchemeAsync(name))?.HandlerType == handlerType)
        {
            return name;
        }

        lock (_gate)
        {
            schemes.RemoveScheme(name);
            schemes.TryAddScheme(new AuthenticationScheme(name, name, handlerType));
        }

        return name;
    }

    /// <summary>Adds the host's authentication services and one scheme per app of <paramref name="config"/> that has <c>auth:</c>.</summary>
    public static void Register(IServiceCollection services, HostConfig config)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        var builder = services.AddAuthentication();
        foreach (var app in config.Apps.Where(a => a.Auth is not null))
        {
            if (HandlerType(app.Auth!) == typeof(BasicAuthenticationHandler))
            {
                builder.AddScheme<AppAuthenticationOptions, BasicAuthenticationHandler>(SchemeName(app.Name), null);
            }
            else
            {
                builder.AddScheme<AppAuthenticationOptions, ApiKeyAuthenticationHandler>(SchemeName(app.Name), null);
            }
        }

        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, AppOnlySchemeProvider>());
        // Schemes added after start-up are created from DI too.
        services.TryAddTransient<BasicAuthenticationHandler>();
        services.TryAddTransient<ApiKeyAuthenticationHandler>();
        services.TryAddSingleton<AppAuthenticationSchemes>();
    }
}

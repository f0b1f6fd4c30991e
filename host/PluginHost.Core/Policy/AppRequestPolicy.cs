using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PluginHost.Core.Authentication;
using PluginHost.Core.Configuration;
using PluginHost.Core.Loading;
using PluginHost.Core.StaticFiles;

namespace PluginHost.Core.Policy;

/// <summary>
/// What the host enforces for one app of one generation, built with the app instance: the parsed users file of
/// <c>auth</c> and the static folder of <c>static</c>. Read once per generation, so a reload re-reads them.
/// </summary>
public sealed class AppRequestPolicy : IDisposable
{
    private AppRequestPolicy(AuthConfig? auth, UsersFile? users, ReleaseFileProvider? staticFiles)
    {
        Authentication = auth is null || users is null ? null : new AppAuthenticationFeature(auth, users);
        StaticFiles = staticFiles;
    }

    /// <summary>No authentication, no static files.</summary>
    public static AppRequestPolicy None { get; } = new(null, null, null);

    /// <summary>The app's auth policy and users, or null when the app has no <c>auth</c>.</summary>
    public AppAuthenticationFeature? Authentication { get; }

    /// <summary>The app's static folder, or null when the app has no <c>static</c>.</summary>
    public ReleaseFileProvider? StaticFiles { get; }

    /// <summary>Reads the users file and opens the static folder; a missing or bad one fails the generation.</summary>
    public static AppRequestPolicy Create(AppConfig config, string contentRoot, string releasePath)
    {
        ArgumentNullException.ThrowIfNull(config);
        UsersFile? users = null;
        if (config.Auth is { UsersFile: { } usersFile })
        {
            try
            {
                users = UsersFile.Load(usersFile, apiKeys: config.Auth.Scheme == ApiKeyAuthenticationHandler.SchemeKind, KeySecret(config));
            }
            catch (ArgumentException ex)
            {
                throw new PluginLoadException(config.Name, usersFile, $"auth.keySecretEnv {config.Auth.KeySecretEnv}: {ex.Message}") { BlamesRelease = false };
            }
            catch (UsersFileException ex)
            {
                throw new PluginLoadException(config.Name, usersFile, WithoutPath(ex.Message, usersFile)) { BlamesRelease = false };
            }
        }

        if (config.Static is null)
        {
            return new AppRequestPolicy(config.Auth, users, null);
        }

        var folder = Path.Combine(contentRoot, config.Static);
        ReleaseFileProvider files;
        try
        {
            files = new ReleaseFileProvider(folder);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new PluginLoadException(config.Name, folder, ex.Message);
        }

        if (RealPath.Resolve(releasePath) is not { } realRelease || !RealPath.IsInside(files.RealRoot, realRelease))
        {
            files.Dispose();
            throw new PluginLoadException(config.Name, folder, $"the static folder resolves to {files.RealRoot}, outside the release folder; it must stay inside");
        }

        return new AppRequestPolicy(config.Auth, users, files);
    }

    /// <summary>The secret of the API keys' keyed hash, from the environment variable auth.keySecretEnv names (none: null).</summary>
    private static string? KeySecret(AppConfig config)
    {
        if (config.Auth?.KeySecretEnv is not { } variable)
        {
            return null;
        }

        return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } secret
            ? secret
            : throw new PluginLoadException(config.Name, config.Auth.UsersFile ?? "",
                $"auth.keySecretEnv names the environment variable {variable}, which is not set; set it to the secret the keys were hashed with") { BlamesRelease = false };
    }

    /// <summary>
    /// The users file's errors name the file at the start of each line ("path: …", "path:12: …"); the load error names
    /// it once already, so each line keeps only the cause ("…", "line 12: …").
    /// </summary>
    private static string WithoutPath(string message, string path) =>
        string.Join("; ", message.Split(Environment.NewLine).Select(line =>
            !line.StartsWith(path + ":", StringComparison.Ordinal) ? line
            : line[(path.Length + 1)..] is var rest && rest.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && rest[..colon].All(char.IsAsciiDigit)
                ? $"line {rest[..colon]}:{rest[(colon + 1)..]}"
                : rest.TrimStart()));

    /// <summary>Puts the host-served static files in front of the app's own pipeline, when the app has <c>static</c>.</summary>
    public RequestDelegate Wrap(RequestDelegate pipeline, IServiceProvider appServices, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(appServices);
        return StaticFiles is null
            ? pipeline
            : AppStaticFiles.Wrap(pipeline, StaticFiles, appServices.GetRequiredService<IWebHostEnvironment>(), loggerFactory);
    }

    public void Dispose() => StaticFiles?.Dispose();
}

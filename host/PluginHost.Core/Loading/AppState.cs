using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace PluginHost.Core.Loading;

/// <summary>
/// What an app keeps across deploys, in its own folder of <c>state.root</c>: above all its data-protection key ring, so
/// that auth cookies, antiforgery tokens and TempData issued by one generation are accepted by the next, after a
/// promote, a rollback or a host restart. ASP.NET Core would otherwise derive the application discriminator from the
/// content root (the versioned release folder) and, where it cannot persist keys, keep them in memory.
/// </summary>
internal static class AppState
{
    public const string KeysFolder = "data-protection-keys";

    /// <summary>Creates <c>&lt;stateRoot&gt;/&lt;app&gt;/</c> (owner-only) and returns it; null when the host keeps no state.</summary>
    public static string? Prepare(string? stateRoot, string appName, string assemblyPath)
    {
        if (stateRoot is null)
        {
            return null;
        }

        var folder = Path.Combine(stateRoot, appName);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return folder;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The fault is the deployment's (state.root in config.yaml), not the release's.
            throw new PluginLoadException(appName, assemblyPath, $"its state folder {folder} cannot be created: {ex.Message}") { BlamesRelease = false };
        }
    }

    /// <summary>
    /// Registered before the app's own services, so an app that configures data protection itself (another key store,
    /// its own application name) still wins.
    /// </summary>
    public static void AddDataProtection(IServiceCollection services, PluginContext context)
    {
        var builder = services.AddDataProtection().SetApplicationName(context.AppName);
        if (context.StateDirectory is { } folder)
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(folder, KeysFolder)));
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Loading;

/// <summary>
/// Validates a release the way the host would load it, with the host's own loading code: every app is loaded
/// into a throwaway collectible context, its services and pipeline are built and warmed, then all is unloaded.
/// </summary>
public sealed class LoadingReleaseValidator(ILoggerFactory? loggerFactory = null) : IReleaseValidator
{
    public async Task<IReadOnlyList<string>> ValidateAsync(HostConfig config, string releasePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var listener = new DiagnosticListener("PluginHost.Validation");
        var factory = new AppInstanceFactory(new HostServices(loggerFactory ?? NullLoggerFactory.Instance, listener, "Production"), TimeProvider.System);
        var release = new ResolvedRelease(Path.GetFileName(Path.TrimEndingDirectorySeparator(releasePath)), Path.GetFullPath(releasePath));
        var errors = new List<string>();
        foreach (var app in config.Apps)
        {
            if (await TryLoadAsync(factory, app, release, cancellationToken) is { } error)
            {
                errors.Add(error);
            }
        }

        return errors;
    }

    private static async Task<string?> TryLoadAsync(AppInstanceFactory factory, AppConfig app, ResolvedRelease release, CancellationToken cancellationToken)
    {
        AppInstance? instance = null;
        try
        {
            instance = factory.Create(app, release, generation: 0);
            await AppWarmup.RunAsync(instance, TimeProvider.System, cancellationToken);
            return null;
        }
        catch (PluginLoadException ex)
        {
            return ex.Message;
        }
        finally
        {
            if (instance is not null)
            {
                await instance.DisposeAsync();
            }
        }
    }
}

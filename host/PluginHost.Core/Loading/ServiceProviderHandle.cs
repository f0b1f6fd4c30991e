using Microsoft.Extensions.DependencyInjection;

namespace PluginHost.Core.Loading;

/// <summary>An app's own container together with what the host created for it.</summary>
internal sealed class ServiceProviderHandle(ServiceProvider provider, AppHostEnvironment environment) : IAsyncDisposable
{
    public ServiceProvider Provider { get; } = provider;

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        environment.Dispose();
    }
}

using Microsoft.Extensions.DependencyInjection;

namespace PluginHost.Core.Loading;

/// <summary>An app's own container together with what the host created for it.</summary>
internal sealed class ServiceProviderHandle(ServiceProvider provider, AppHostEnvironment environment) : IAppContainer
{
    public ServiceProvider Provider { get; } = provider;

    IServiceProvider IAppContainer.Provider => Provider;

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        environment.Dispose();
    }
}

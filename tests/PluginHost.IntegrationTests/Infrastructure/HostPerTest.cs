namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// A test class whose tests each write their own config.yaml and then start the real host on it: <see cref="Arrange"/>
/// lays out the temp deployment; the host a test started and the deployment are torn down after it.
/// </summary>
public abstract class HostPerTest : IAsyncLifetime
{
    private HostRunner? _host;

    protected TempReleases Releases { get; } = new();

    /// <summary>Writes the releases all tests of the class start from.</summary>
    protected abstract void Arrange();

    /// <summary>Starts the host on the config.yaml the test has written.</summary>
    /// <param name="useConfigUrls">Listen on config.yaml's server.urls (e.g. https://127.0.0.1:0) instead of a free http port.</param>
    protected async Task<HostRunner> StartHostAsync(bool useConfigUrls = false)
    {
        _host = await HostRunner.StartAsync(Releases.ConfigPath, useConfigUrls: useConfigUrls);
        return _host;
    }

    public Task InitializeAsync()
    {
        Arrange();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Releases.Dispose();
    }
}

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// A test class with one real host per test: <see cref="Arrange"/> lays out the temp deployment, then the host
/// starts on it; both are torn down after the test.
/// </summary>
public abstract class HostedTest : IAsyncLifetime
{
    protected TempReleases Releases { get; } = new();

    protected HostRunner Host { get; private set; } = null!;

    /// <summary>Listen on config.yaml's server.urls instead of a free port chosen by Kestrel.</summary>
    protected virtual bool UseConfigUrls => false;

    /// <summary>Writes the releases and config.yaml the host starts with.</summary>
    protected abstract void Arrange();

    public async Task InitializeAsync()
    {
        Arrange();
        Host = await HostRunner.StartAsync(Releases.ConfigPath, useConfigUrls: UseConfigUrls);
    }

    /// <summary>Stops the host and starts a new one on the same deployment (a process restart, as far as the host can tell).</summary>
    protected async Task RestartHostAsync()
    {
        await Host.DisposeAsync();
        Host = await HostRunner.StartAsync(Releases.ConfigPath, useConfigUrls: UseConfigUrls);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Releases.Dispose();
    }
}

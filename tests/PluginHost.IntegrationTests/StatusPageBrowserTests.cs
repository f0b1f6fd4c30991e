using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 6: the admin status page as a person sees it, in real headless Chromium.</summary>
public sealed class StatusPageBrowserTests : IAsyncLifetime
{
    /// <summary>Kept as a test artifact: build.cake's Test task collects artifacts/test-results/.</summary>
    private static readonly string Screenshots = Path.Combine(RepoPaths.TestResults, "screenshots");
    private readonly TempReleases _releases = new();
    private HostRunner _host = null!;
    private HeadlessChromium? _chromium;
    private string? _unavailable;

    public async Task InitializeAsync()
    {
        (_chromium, _unavailable) = await HeadlessChromium.FindOrInstallAsync();
        if (_chromium is null)
        {
            return;
        }

        _releases.CreateSampleRelease("v2.0.0");
        _releases.Promote("v2.0.0");
        _releases.WriteSampleConfig();
        _host = await HostRunner.StartAsync(_releases.ConfigPath);
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _host.DisposeAsync();
            _chromium.Dispose();
        }

        _releases.Dispose();
    }

    [SkippableFact]
    public async Task StatusPage_InChromium_ShowsServedVersionBeforeAndAfterReload()
    {
        Skip.If(_chromium is null, _unavailable);
        var page = new Uri(_host.Address, "/_pluginhost/");
        for (var i = 0; i < 3; i++)
        {
            (await _host.Client.GetAsync("/api/v1/version")).Dispose();
        }

        var before = await _chromium!.DumpDomAsync(page);
        _releases.CreateSampleRelease("v2.1.0");
        _releases.Promote("v2.1.0");
        _releases.Touch();
        await _host.WaitForGenerationAsync(1, "v2.1.0 served");
        (await _host.Client.GetAsync("/api/v1/version")).Dispose();
        var after = await _chromium.DumpDomAsync(page);
        var screenshot = Path.Combine(Screenshots, "status-page.png");
        await _chromium.ScreenshotAsync(page, screenshot);

        Assert.Contains("id=\"served-version\">v2.0.0</strong>", before);
        Assert.Contains("<td class=\"app-version\">v2.0.0</td>", before);
        Assert.Contains("id=\"served-version\">v2.1.0</strong>", after);
        Assert.Contains("<td class=\"app-version\">v2.1.0</td>", after);
        Assert.DoesNotContain("<td class=\"app-version\">v2.0.0</td>", after);
        Assert.Contains("<span class=\"badge prod\">production</span>", after);
        Assert.Contains("id=\"reload-chart\"", after);
        Assert.True(File.Exists(screenshot), $"no screenshot at {screenshot}");
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"screenshot {screenshot} is only {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        // The IHDR chunk: the window size asked for (1280 x 900), so the page was rendered at full size.
        Assert.Equal(1280, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(900, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        Assert.Empty(await _host.CollectRetiredAsync());
    }
}

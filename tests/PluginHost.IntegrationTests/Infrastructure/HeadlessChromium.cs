using System.Diagnostics;
using System.Text;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's Chromium driven from the command line: <c>--dump-dom</c> for the DOM after the page loaded (scripts ran),
/// <c>--screenshot</c> for a PNG. When Chromium is missing it is installed with tests/scripts/install-chromium.sh; when
/// that cannot be done here (no root or no apt-get: the script exits <see cref="InstallScripts.CannotInstall"/>) the caller
/// gets the reason to skip with, and any other failure to install fails the test.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly string _executable;
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "pluginhost-chromium", Guid.NewGuid().ToString("N")[..12]);

    private HeadlessChromium(string executable) => _executable = executable;

    /// <returns>Chromium, or null and why it cannot be had on this machine.</returns>
    public static async Task<(HeadlessChromium? Chromium, string? Unavailable)> FindOrInstallAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            var executable = Find();
            if (executable is null)
            {
                var script = Path.Combine(RepoPaths.Root, "tests", "scripts", "install-chromium.sh");
                var (exit, output) = await ExternalCommand.RunAsync("bash", [script], TimeSpan.FromMinutes(10));
                executable = Find();
                if (executable is null && exit == InstallScripts.CannotInstall)
                {
                    return (null, $"Chromium is not installed and {script} cannot install it here: {output.Trim()}");
                }

                if (executable is null)
                {
                    throw new InvalidOperationException(
                        $"Chromium is required by the status page browser test and is not installed; {script} exited {exit}:\n{output}\n" +
                        "Install it with 'apt-get install -y chromium' (as root) and run the tests again.");
                }
            }

            return (new HeadlessChromium(executable), null);
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>The serialized DOM of the page after it loaded.</summary>
    public async Task<string> DumpDomAsync(Uri url)
    {
        var (exit, output) = await ExternalCommand.RunAsync(_executable, [.. CommonArguments(), "--dump-dom", url.ToString()], RunTimeout, stdoutOnly: true);
        return exit == 0 ? output : throw new InvalidOperationException($"chromium --dump-dom {url} exited {exit}:\n{output}");
    }

    public async Task ScreenshotAsync(Uri url, string file, int width = 1280, int height = 900)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Delete(file);
        var (exit, output) = await ExternalCommand.RunAsync(_executable,
            [.. CommonArguments(), $"--screenshot={file}", $"--window-size={width},{height}", "--hide-scrollbars", url.ToString()], RunTimeout);
        if (exit != 0 || !File.Exists(file))
        {
            throw new InvalidOperationException($"chromium --screenshot {url} exited {exit} and wrote no {file}:\n{output}");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profiles, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string[] CommonArguments() =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        $"--user-data-dir={Path.Combine(_profiles, Guid.NewGuid().ToString("N")[..8])}",
    ];

    private static string? Find()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

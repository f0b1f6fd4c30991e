using System.Net;
using System.Net.Sockets;
using PluginHost.Core.Releases;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>Issue 12: bad marks only for the release's own faults, a full disk, a production link outside the root, a busy port.</summary>
public sealed class ReleaseHardeningTests : HostPerTest
{
    protected override void Arrange()
    {
        Releases.CreateSampleRelease("v1");
        Releases.Promote("v1");
        Releases.WriteSampleConfig();
    }

    private string HistoryText()
    {
        var path = Path.Combine(Releases.ReleasesRoot, ReleaseStore.HistoryFileName);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    [Fact]
    public async Task ConfigTypoInAssembly_ServedReleaseNotMarkedBad_AndAnOldMarkClearedWhenItLoads()
    {
        var host = await StartHostAsync();
        var reloadsBefore = host.Coordinator.History.Count;
        var good = File.ReadAllText(Releases.ConfigPath);

        File.WriteAllText(Releases.ConfigPath, good.Replace("WebApp/WebApp.dll", "WebApp/WebAp.dll", StringComparison.Ordinal));
        await host.WaitForReloadResultAsync(reloadsBefore, "the reload with the typo");

        Assert.False(host.Coordinator.LastResult!.Ok);
        Assert.Contains("WebAp.dll", host.Coordinator.LastResult.Error);
        Assert.DoesNotContain("\"action\":\"bad\"", HistoryText());

        // A mark written earlier (by a host before this fix, or for a fault since repaired) goes once the release loads.
        var store = new ReleaseStore(Releases.ReleasesRoot);
        store.MarkBad("v1", "an earlier failure");
        var generation = host.GenerationNumber;
        File.WriteAllText(Releases.ConfigPath, good);
        await host.WaitForGenerationAsync(generation, "the reload with the typo fixed");
        await Eventually.WaitAsync(() => !store.IsBad("v1"), "the bad mark of v1 cleared");
    }

    [Fact]
    public async Task SettingsTheAppsOptionsValidationRefuses_ReloadFailsWithoutMarkingTheRelease()
    {
        Releases.CreateRelease("v1", ("Greeter", "ValidatesSettings"));
        var withGreeter = File.ReadAllText(Releases.ConfigPath) + """

              - name: Greeter
                mount: /greeter
                assembly: Greeter/ValidatesSettings.dll
                settings:
                  greeting: Hello
            """;
        File.WriteAllText(Releases.ConfigPath, withGreeter);
        var host = await StartHostAsync();
        Assert.Equal("Hello", await host.Client.GetStringAsync("/greeter/greeting"));
        var reloadsBefore = host.Coordinator.History.Count;

        File.WriteAllText(Releases.ConfigPath, withGreeter.Replace("greeting: Hello", "greeting: \"\"", StringComparison.Ordinal));
        await host.WaitForReloadResultAsync(reloadsBefore, "the reload with the empty greeting");

        Assert.False(host.Coordinator.LastResult!.Ok);
        Assert.Contains("OptionsValidationException", host.Coordinator.LastResult.Error);
        Assert.Contains("settings.greeting must not be empty", host.Coordinator.LastResult.Error);
        Assert.DoesNotContain("\"action\":\"bad\"", HistoryText());
        Assert.Equal("Hello", await host.Client.GetStringAsync("/greeter/greeting"));
    }

    [Fact]
    public async Task ProductionOutsideTheRoot_ServedWithAWarning_AndAFailedLoadWritesNoBadMark()
    {
        var host = await StartHostAsync();
        var outside = Path.Combine(Releases.Root, "elsewhere");
        Directory.CreateDirectory(outside);
        // A broken release outside the root, with the name of a release inside it: a mark would land on the wrong one.
        var broken = Path.Combine(outside, "v1");
        CopyRelease(Path.Combine(Releases.ReleasesRoot, "v1"), broken);
        File.Delete(Path.Combine(broken, "ReportingApi", "ReportingApi.Aggregation.dll"));
        var reloadsBefore = host.Coordinator.History.Count;

        Releases.PromoteTo(broken);
        await host.WaitForReloadResultAsync(reloadsBefore, "the failed load of the release outside the root");

        Assert.False(host.Coordinator.LastResult!.Ok);
        Assert.DoesNotContain("\"action\":\"bad\"", HistoryText());

        var good = Path.Combine(outside, "v2");
        CopyRelease(Path.Combine(Releases.ReleasesRoot, "v1"), good);
        var generation = host.GenerationNumber;
        Releases.PromoteTo(good);
        await host.WaitForGenerationAsync(generation, "the release outside the root served");
        await Eventually.WaitAsync(() => host.Logs.Events.Any(e => e.MessageTemplate.Text.Contains("outside the releases root", StringComparison.Ordinal)),
            "a warning about the production link outside the root");
    }

    [Fact]
    public async Task Serve_PortAlreadyInUse_ExitsOneWithOneLineAndNoStackTrace()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        using var host = HostProcess.Start(Releases.ConfigPath, port);

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var errors = host.Output.Split('\n').Where(l => l.Contains(" ERR] ", StringComparison.Ordinal) || l.Contains(" FTL] ", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains($"127.0.0.1:{port}", error, StringComparison.Ordinal);
        Assert.Contains("address already in use", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_YamlThatCrashedTheParser_ExitsOneWithFileAndLineAndNoStackTrace()
    {
        // The unclosed '[' followed by more 'key:' lines is what made YamlDotNet's parser throw without a position.
        File.WriteAllText(Releases.ConfigPath, "admin:\n  allow: [127.0.0.0/8, ::1\n" + File.ReadAllText(Releases.ConfigPath));
        using var host = HostProcess.Start(Releases.ConfigPath);

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(Releases.ConfigPath)}:[0-9]+: not valid YAML", line);
        Assert.DoesNotContain("Operation is not valid", host.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Promote_DiskFull_Exit1ProductionUnchangedAndHistoryMatchesTheLink()
    {
        Skip.If(Environment.UserName != "root", "needs root to mount a small tmpfs as a full disk");
        using var disk = await FullDisk.MountAsync(Path.Combine(Releases.Root, "small-disk"));
        Skip.If(disk is null, "mounting a tmpfs failed (no CAP_SYS_ADMIN in this container?)");
        var releases = Path.Combine(disk.Path, "releases");
        Directory.CreateDirectory(Path.Combine(releases, "v1"));
        Directory.CreateDirectory(Path.Combine(releases, "v2"));
        Releases.WriteConfig($"""
            releases:
              root: {releases}
            apps:
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
            """);
        Assert.Equal(0, (await CliRunner.RunAsync(Releases, "promote", "v1", "--no-validate")).ExitCode);
        disk.Fill(Path.Combine(releases, ReleaseStore.HistoryFileName));

        var (exitCode, _, error) = await CliRunner.RunAsync(Releases, "promote", "v2", "--no-validate");

        Assert.Equal(1, exitCode);
        Assert.Contains("No space left on device", error, StringComparison.Ordinal);
        Assert.Contains(ReleaseStore.HistoryFileName, error, StringComparison.Ordinal);
        var store = new ReleaseStore(releases);
        Assert.Equal("v1", store.Production);
        Assert.Equal("v1", store.History.ReadAll()[^1].To);
    }

    private static void CopyRelease(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A 256 KB tmpfs: filled up, every write to it fails with ENOSPC, as a full disk does.</summary>
    private sealed class FullDisk : IDisposable
    {
        private FullDisk(string path) => Path = path;

        public string Path { get; }

        public static async Task<FullDisk?> MountAsync(string path)
        {
            Directory.CreateDirectory(path);
            var (exitCode, _) = await ExternalCommand.RunAsync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", path], TimeSpan.FromSeconds(30));
            return exitCode == 0 ? new FullDisk(path) : null;
        }

        /// <param name="file">Padded to whole pages first (with a blank line the history skips), so no slack is left to append into.</param>
        public void Fill(string file)
        {
            var length = new FileInfo(file).Length;
            File.AppendAllText(file, new string(' ', (int)(4096 - (length % 4096)) - 1) + "\n");
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create);
            var block = new byte[4096];
            try
            {
                while (true)
                {
                    filler.Write(block);
                    filler.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
                // Full.
            }
        }

        public void Dispose() => ExternalCommand.RunAsync("umount", ["-l", Path], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }
}

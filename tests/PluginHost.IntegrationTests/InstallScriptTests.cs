using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 12: on a machine without root or apt, tests/scripts/install-*.sh exit <see cref="InstallScripts.CannotInstall"/>
/// with the reason, which .ci/run reports and the browser and unit-file tests turn into a visible skip.
/// The scripts run with a PATH holding only a stand-in 'id' (and no chromium, systemd-analyze or apt-get).
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("pluginhost-bin-").FullName;

    /// <summary>Script, program, the uid the stand-in 'id' reports, and the reason the script must give.</summary>
    public static TheoryData<string, string, int, string> Cases => new()
    {
        { "install-chromium.sh", "chromium", 1000, "is missing and installing it needs root" },
        { "install-chromium.sh", "chromium", 0, "is missing and there is no apt-get" },
        { "install-systemd-analyze.sh", "systemd-analyze", 1000, "is missing and installing it needs root" },
        { "install-systemd-analyze.sh", "systemd-analyze", 0, "is missing and there is no apt-get" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Script_NotRootOrNoApt_ExitsCannotInstallNamingTheReason(string script, string program, int uid, string reason)
    {
        var (exitCode, output) = await RunAsync(script, uid);

        Assert.Equal(InstallScripts.CannotInstall, exitCode);
        Assert.Contains($"{program} {reason}", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string script, int uid)
    {
        var id = Path.Combine(_bin, "id");
        await File.WriteAllTextAsync(id, $"#!{ExternalCommand.Which("bash")}\necho {uid}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(id, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var bash = ExternalCommand.Which("bash") ?? "/bin/bash";
        return await ExternalCommand.RunAsync(bash, [Path.Combine(RepoPaths.Root, "tests", "scripts", script)], TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PATH"] = _bin });
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);
}

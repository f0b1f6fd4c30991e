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

    public static TheoryData<string, string> Scripts => new()
    {
        { "install-chromium.sh", "chromium" },
        { "install-systemd-analyze.sh", "systemd-analyze" },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_NotRoot_ExitsCannotInstallNamingTheReason(string script, string program)
    {
        var (exitCode, output) = await RunAsync(script, uid: 1000);

        Assert.Equal(InstallScripts.CannotInstall, exitCode);
        Assert.Contains($"{program} is missing and installing it needs root", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_RootWithoutApt_ExitsCannotInstallNamingTheReason(string script, string program)
    {
        var (exitCode, output) = await RunAsync(script, uid: 0);

        Assert.Equal(InstallScripts.CannotInstall, exitCode);
        Assert.Contains($"{program} is missing and there is no apt-get", output, StringComparison.Ordinal);
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

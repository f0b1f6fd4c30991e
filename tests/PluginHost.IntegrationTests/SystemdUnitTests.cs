using System.Diagnostics;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 6: deploy/pluginhost.service as systemd reads it. 'systemd-analyze verify' only parses the unit (systemd does
/// not have to run); it exits 0 even for unknown keys or unparsable values, so any output at all counts as a failure.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private static readonly string Unit = Path.Combine(RepoPaths.Root, "deploy", "pluginhost.service");
    private readonly string _folder = Directory.CreateTempSubdirectory("pluginhost-unit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Verify_DeployedUnit_AcceptedWithoutAnyComplaint()
    {
        var (exitCode, output) = await VerifyAsync(File.ReadAllText(Unit));

        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify {Unit} exited {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Verify_UnitWithAMistake_Complains()
    {
        var broken = File.ReadAllText(Unit).Replace("Type=notify", "Type=notify-please", StringComparison.Ordinal);

        var (_, output) = await VerifyAsync(broken);

        Assert.Contains("notify-please", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_Directives_StartLimitInUnitSectionAndDiagnosticsSocketOutsidePrivateTmp()
    {
        var sections = Sections(File.ReadAllLines(Unit));

        Assert.Contains("StartLimitIntervalSec", sections["Unit"].Keys);
        Assert.Contains("StartLimitBurst", sections["Unit"].Keys);
        var service = sections["Service"];
        Assert.Equal("on-failure", service["Restart"]);
        if (service.TryGetValue("PrivateTmp", out var privateTmp) && privateTmp is "true" or "yes")
        {
            // The runtime puts its diagnostics socket in $TMPDIR: it must not be the unit's private /tmp.
            Assert.Equal("pluginhost", service["RuntimeDirectory"]);
            Assert.Contains("TMPDIR=/run/pluginhost", service["Environment"], StringComparison.Ordinal);
        }
    }

    private async Task<(int ExitCode, string Output)> VerifyAsync(string unitText)
    {
        var analyze = await FindOrInstallSystemdAnalyzeAsync();
        // ExecStart names /usr/bin/dotnet (where Debian's and Microsoft's packages put it); verify checks that it exists.
        if (!File.Exists("/usr/bin/dotnet") && DotnetHost() is { } dotnet)
        {
            unitText = unitText.Replace("/usr/bin/dotnet ", dotnet + " ", StringComparison.Ordinal);
        }

        var copy = Path.Combine(_folder, "pluginhost.service");
        await File.WriteAllTextAsync(copy, unitText);
        return await RunAsync(analyze, ["verify", copy]);
    }

    private static async Task<string> FindOrInstallSystemdAnalyzeAsync()
    {
        if (Which("systemd-analyze") is { } found)
        {
            return found;
        }

        var script = Path.Combine(RepoPaths.Root, "tests", "scripts", "install-systemd-analyze.sh");
        var (exitCode, output) = await RunAsync("bash", [script]);
        return Which("systemd-analyze") ?? throw new InvalidOperationException(
            $"systemd-analyze is needed to check deploy/pluginhost.service and is not installed; {script} exited {exitCode}:\n{output}\n" +
            "Install it with 'apt-get install -y systemd' (as root) and run the tests again.");
    }

    private static string? DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : Which("dotnet");

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Section → key → value (repeated keys joined with a space, as systemd does for Environment=).</summary>
    private static Dictionary<string, Dictionary<string, string>> Sections(IEnumerable<string> lines)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                current = sections[line[1..^1]] = [];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (current is null || equals <= 0)
            {
                throw new FormatException($"unexpected line in {Unit}: '{raw}'");
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            current[key] = current.TryGetValue(key, out var earlier) ? earlier + " " + value : value;
        }

        return sections;
    }
}

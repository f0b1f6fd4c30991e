using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests;

/// <summary>
/// Issue 6: deploy/pluginhost.service as systemd reads it. 'systemd-analyze verify' only parses the unit (systemd does
/// not have to run); it exits 0 even for unknown keys or unparsable values, so any output at all counts as a failure.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);
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
        if (!File.Exists("/usr/bin/dotnet") && ExternalCommand.Which("dotnet") is not null)
        {
            unitText = unitText.Replace("/usr/bin/dotnet ", ExternalCommand.Dotnet + " ", StringComparison.Ordinal);
        }

        var copy = Path.Combine(_folder, "pluginhost.service");
        await File.WriteAllTextAsync(copy, unitText);
        var (exitCode, output) = await ExternalCommand.RunAsync(analyze, ["verify", copy], CommandTimeout);
        return (exitCode, output.Trim());
    }

    private static async Task<string> FindOrInstallSystemdAnalyzeAsync()
    {
        if (ExternalCommand.Which("systemd-analyze") is { } found)
        {
            return found;
        }

        var script = Path.Combine(RepoPaths.Root, "tests", "scripts", "install-systemd-analyze.sh");
        var (exitCode, output) = await ExternalCommand.RunAsync("bash", [script], CommandTimeout);
        return ExternalCommand.Which("systemd-analyze") ?? throw new InvalidOperationException(
            $"systemd-analyze is needed to check deploy/pluginhost.service and is not installed; {script} exited {exitCode}:\n{output}\n" +
            "Install it with 'apt-get install -y systemd' (as root) and run the tests again.");
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

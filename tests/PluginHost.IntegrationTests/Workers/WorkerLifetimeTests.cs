using System.Net.Http.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>The real executable: workers never outlive the host, and a host started after a crash clears stale sockets.</summary>
public sealed class WorkerLifetimeTests : IDisposable
{
    private readonly TempReleases _releases = new();

    public WorkerLifetimeTests()
    {
        ProcessApps.CreateReleases(_releases);
        // At Debug: the spares' rehearsals say so.
        ProcessApps.WriteConfig(_releases, runtimeDirectory: RuntimeRoot, minimumLevel: "Debug");
    }

    private string RuntimeRoot => Path.Combine(_releases.Root, "run");

    [Fact]
    public async Task SigTerm_StopsEveryWorker_AndRemovesTheirSockets()
    {
        using var host = await StartAsync();
        var workers = WorkerPids();

        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(workers.Count >= 2, $"{workers.Count} worker processes (two apps, and their spares)");
        await Eventually.WaitAsync(() => workers.All(pid => !ProcessApps.IsRunning(pid)), "every worker exiting with the host");
        Assert.Empty(Directory.EnumerateFileSystemEntries(RuntimeRoot));
    }

    [Fact]
    public async Task ProcessAppsStartingAtOnce_GetOneWorkerAndOneSpareEach_NeverMore()
    {
        using var host = await StartAsync();

        // Each worker start tops the spares up to one per process app (Crashy's memory limit gives it a worker of its own,
        // but a spare is still kept for its next restart).
        const int Expected = 3 + 3;
        var counts = new List<int>();
        await Eventually.WaitAsync(() =>
        {
            counts.Add(WorkerPids().Count);
            return counts[^1] == Expected;
        }, "three serving workers and three spares");
        var settled = WorkerPids().Count;

        Assert.True(counts.All(c => c <= Expected) && settled == Expected, $"worker processes seen: {string.Join(", ", counts)}, then {settled}");
        host.Terminate();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task SigKill_OfTheHost_TakesItsWorkersAlong_AndTheNextHostClearsTheStaleSockets()
    {
        int[] workers;
        string stale;
        using (var host = await StartAsync())
        {
            workers = [.. WorkerPids()];
            stale = Path.Combine(RuntimeRoot, FormattableString.Invariant($"{host.Id}-1"));
            System.Diagnostics.Process.GetProcessById(host.Id).Kill();
            await host.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.WaitAsync(() => workers.All(pid => !ProcessApps.IsRunning(pid)), "every worker exiting after the host was killed");
        Assert.True(Directory.Exists(stale));

        using var next = await StartAsync();

        Assert.False(Directory.Exists(stale));
        next.Terminate();
        await next.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Spares_RehearseWithTheShippedPlugin_LeaveNoFilesBehind_AndServeTheAppTheyAreGiven()
    {
        using var host = await StartAsync();
        var serving = await ProcessApps.WorkerPidAsync(host.Client, "ReportingApi");

        // One spare per process app, and each says when it has rehearsed.
        await Eventually.WaitAsync(() => Rehearsed(host).Count() == 3, "three spares that rehearsed");
        await Eventually.WaitAsync(async () => await ProcessApps.SparesAsync(host.Client) == (3, 3), "status: three spares waiting, all ready");
        await Eventually.WaitAsync(() => !Directory.EnumerateFileSystemEntries(RuntimeRoot, "*rehearsal*", SearchOption.AllDirectories).Any(),
            "the rehearsals' sockets, release links and state folders removed");
        _releases.Touch();
        var pid = 0;
        await Eventually.WaitAsync(async () => (pid = await ProcessApps.WorkerPidAsync(host.Client, "ReportingApi")) is not 0 && pid != serving
            && (await host.Client.GetAsync(new Uri("/api/v1/version", UriKind.Relative))).IsSuccessStatusCode, "ReportingApi served by a new worker");

        Assert.Contains(pid, Rehearsed(host));
        var version = await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/api/v1/version", UriKind.Relative));
        Assert.Equal("ReportingApi", version.GetProperty("app").GetString());
        Assert.Equal(2, version.GetProperty("generation").GetInt64());
        Assert.DoesNotContain("the rehearsal with", host.Output, StringComparison.Ordinal);
        host.Terminate();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The workers that said they rehearsed (the host relays "… worker PID: Spare worker: rehearsed with …").</summary>
    private static IEnumerable<int> Rehearsed(HostProcess host) =>
        System.Text.RegularExpressions.Regex.Matches(host.Output, @"worker (\d+): Spare worker: rehearsed with ")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    private async Task<HostProcess> StartAsync()
    {
        var host = HostProcess.Start(_releases.ConfigPath);
        await host.WaitUntilServingAsync("/crashy/whoami");
        await host.WaitUntilServingAsync("/api/v1/version");
        return host;
    }

    /// <summary>The workers (and spare workers) are the processes whose command line names this deployment's config.</summary>
    private List<int> WorkerPids() =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0 && IsWorkerOfThisTest(pid))];

    private bool IsWorkerOfThisTest(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return commandLine.Contains(" worker ", StringComparison.Ordinal) && commandLine.Contains(_releases.ConfigPath, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => _releases.Dispose();
}

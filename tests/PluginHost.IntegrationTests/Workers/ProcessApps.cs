using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Workers;

/// <summary>The deployment of the process-mode tests, and what they read about workers from the host's status.</summary>
internal static class ProcessApps
{
    /// <summary>v1 and v2 of the samples with the crashing app beside them.</summary>
    public static void CreateReleases(TempReleases releases)
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            releases.CreateSampleRelease(version, version == "v1" ? "ReportingApi.Aggregation" : "ReportingApi.Aggregation.V2");
            releases.CreateRelease(version, ("Crashy", "CrashesOnDemand"), ("Tiny", "TinyJson"));
        }

        releases.Promote("v1");
    }

    /// <summary>
    /// The two samples (ReportingApi, WebApp) and the crashing app each in worker processes, TinyJson in the host, quick
    /// probes and restarts, every reload built (no standby).
    /// </summary>
    public static void WriteConfig(TempReleases releases, string reportingExtra = "", string crashyExtra = "", string? runtimeDirectory = null, bool requestLog = false,
        string minimumLevel = "Information") =>
        releases.WriteAppsConfig($"""
            - name: ReportingApi
              mount: /api/v1
              assembly: ReportingApi/ReportingApi.dll
              isolation: process
              warmup: [/version]
              settings:
                figures: [3, 5, 8, 13]
            {Indent(reportingExtra)}
            - name: WebApp
              mount: /
              assembly: WebApp/WebApp.dll
              isolation: process
              static: wwwroot
            - name: Tiny
              mount: /tiny
              assembly: Tiny/TinyJson.dll
            - name: Crashy
              mount: /crashy
              assembly: Crashy/CrashesOnDemand.dll
              isolation: process
              memoryLimit: 256MB
              warmup: [/whoami]
            {Indent(crashyExtra)}
            """,
            reload: "keepPrevious: false",
            sections: $"""
                workers:
                  probeInterval: 200ms
                  probeTimeout: 1s
                  maxRestartDelay: 1s
                  {(runtimeDirectory is null ? "" : "runtimeDirectory: " + runtimeDirectory)}
                logging:
                  minimumLevel: {minimumLevel}
                  requestLog: {(requestLog ? "true" : "false")}
                """);

    private static string Indent(string yaml) => string.Join("\n", yaml.Split('\n').Select(line => "  " + line));

    public static Task<JsonElement> WorkerAsync(HostRunner host, string app) => WorkerAsync(host.Client, app);

    /// <summary>The app's worker in the status of the host <paramref name="client"/> talks to.</summary>
    public static async Task<JsonElement> WorkerAsync(HttpClient client, string app)
    {
        var status = await client.GetFromJsonAsync<JsonElement>("/_pluginhost/status");
        return status.GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == app).GetProperty("worker");
    }

    /// <summary>The host's spare workers (status <c>spares</c>): started and waiting, and of them those that rehearsed.</summary>
    public static async Task<(int Waiting, int Ready)> SparesAsync(HttpClient client)
    {
        var spares = (await client.GetFromJsonAsync<JsonElement>("/_pluginhost/status")).GetProperty("spares");
        return (spares.GetProperty("waiting").GetInt32(), spares.GetProperty("ready").GetInt32());
    }

    public static Task<int> WorkerPidAsync(HostRunner host, string app) => WorkerPidAsync(host.Client, app);

    /// <summary>The pid of the worker serving the app, or 0 while none does.</summary>
    public static async Task<int> WorkerPidAsync(HttpClient client, string app) =>
        (await WorkerAsync(client, app)) is { ValueKind: JsonValueKind.Object } worker && worker.GetProperty("pid") is { ValueKind: JsonValueKind.Number } pid
            ? pid.GetInt32()
            : 0;

    /// <summary>Waits until the app is served by a worker other than <paramref name="old"/>; returns its pid.</summary>
    public static async Task<int> WaitForNewWorkerAsync(HostRunner host, string app, int old, string what)
    {
        var pid = 0;
        await Eventually.WaitAsync(async () => (pid = await WorkerPidAsync(host, app)) is not 0 && pid != old
            && (await host.Client.GetAsync(app == "Crashy" ? "/crashy/whoami" : "/api/v1/version")).IsSuccessStatusCode, what, TimeSpan.FromSeconds(60));
        return pid;
    }

    public static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}

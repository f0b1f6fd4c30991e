using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>An app of a generated config.yaml.</summary>
/// <param name="Name">App name (also its folder in the release).</param>
/// <param name="Mount">URL prefix.</param>
/// <param name="Assembly">Main assembly, relative to the release folder.</param>
/// <param name="Warmup">Paths requested before the generation takes traffic.</param>
/// <param name="Settings">The app's <c>settings</c>, as IConfiguration keys ("Section:Key"); none when null.</param>
/// <param name="Isolation">apps[].isolation (<c>process</c>: each generation in a worker process), or null for the default (in the host's process).</param>
public sealed record BenchApp(string Name, string Mount, string Assembly, IReadOnlyList<string> Warmup, IReadOnlyDictionary<string, string>? Settings = null,
    string? Isolation = null, string? Jit = null)
{
    /// <summary>What the sample ReportingApi reads (its title and figures), in the host's config and the bare baseline alike.</summary>
    public static IReadOnlyDictionary<string, string> ReportingSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["reportTitle"] = "Benchmark report",
        ["figures:0"] = "1",
        ["figures:1"] = "2",
        ["figures:2"] = "3",
    };

    /// <summary>A copy of the sample ReportingApi in folder <paramref name="name"/>.</summary>
    public static BenchApp Reporting(string name, string mount, string warmup = "/version") =>
        new(name, mount, $"{name}/ReportingApi.dll", [warmup], ReportingSettings);
}

/// <summary>The logging section of a generated config.yaml.</summary>
/// <param name="BufferSize">logging.bufferSize, or null for the default.</param>
public sealed record BenchLogging(string MinimumLevel, bool RequestLog, int? BufferSize = null)
{
    /// <summary>What the suite measures the engine with: nothing logged per request.</summary>
    public static BenchLogging Quiet { get; } = new("Warning", RequestLog: false);
}

/// <summary>
/// A throwaway deployment in a temp folder: config.yaml, releases/ assembled from the real plugin builds,
/// the production symlink and the reload trigger. Deleted on dispose.
/// </summary>
public sealed class Deployment : IDisposable
{
    private readonly BenchPaths _paths;

    public Deployment(BenchPaths paths)
    {
        _paths = paths;
        Root = Path.Combine(Path.GetTempPath(), "pluginhost-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(ReleasesRoot);
    }

    public string Root { get; }
    public string ReleasesRoot => Path.Combine(Root, "releases");
    public string ProductionLink => Path.Combine(ReleasesRoot, "production");
    public string Trigger => Path.Combine(ReleasesRoot, "reload.trigger");
    public string ConfigPath => Path.Combine(Root, "config.yaml");

    /// <summary>Copies the build of <paramref name="project"/> to releases/&lt;version&gt;/&lt;folder&gt;/.</summary>
    public void AddApp(string version, string folder, string project)
    {
        var source = _paths.PluginBuild(project);
        if (!Directory.Exists(source))
        {
            throw new BenchException($"{source} is missing: build the solution first.");
        }

        CopyDirectory(source, Path.Combine(ReleasesRoot, version, folder));
    }

    /// <summary>ReportingApi in <paramref name="folder"/>; <paramref name="aggregationV2"/> swaps in the sum-v2 build of its library.</summary>
    public void AddReportingApi(string version, string folder, bool aggregationV2 = false)
    {
        AddApp(version, folder, "ReportingApi");
        if (aggregationV2)
        {
            File.Copy(Path.Combine(_paths.PluginBuild("ReportingApi.Aggregation.V2"), "ReportingApi.Aggregation.dll"),
                Path.Combine(ReleasesRoot, version, folder, "ReportingApi.Aggregation.dll"), overwrite: true);
        }
    }

    /// <summary>Points production at <paramref name="version"/> atomically: a new link renamed over the old one.</summary>
    public void Promote(string version)
    {
        var temp = ProductionLink + ".tmp";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, version);
        if (Rename(temp, ProductionLink) != 0)
        {
            throw new IOException($"rename {temp} → {ProductionLink} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Like 'touch': creates the trigger or moves its modification time forward.</summary>
    public void Touch()
    {
        if (!File.Exists(Trigger))
        {
            File.WriteAllBytes(Trigger, []);
        }

        var stamp = File.GetLastWriteTimeUtc(Trigger);
        var now = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(Trigger, now > stamp ? now : stamp.AddMilliseconds(1));
    }

    /// <summary>
    /// Writes config.yaml for <paramref name="apps"/>: logging at Warning without request logs unless
    /// <paramref name="logging"/> says otherwise (the suite measures the engine, not a console), a short debounce (a single
    /// touch needs none), and generous drain/unload bounds.
    /// </summary>
    /// <param name="server">A server section to add (YAML, e.g. the certificate of an https benchmark), or null.</param>
    /// <param name="drainTimeout">reload.drainTimeout; 10 s when null.</param>
    /// <param name="longLived">reload.longLived: reconnect (the host's default) or keep.</param>
    /// <param name="keepPrevious">
    /// reload.keepPrevious: off unless asked for, so that every deploy of the sections that measure reloads builds a generation
    /// (with the standby, every other v1 ⇄ v2 flip would swap back to it instead).
    /// </param>
    public void WriteConfig(IEnumerable<BenchApp> apps, TimeSpan debounce, BenchLogging? logging = null, string? server = null,
        TimeSpan? drainTimeout = null, string longLived = "reconnect", bool keepPrevious = false)
    {
        logging ??= BenchLogging.Quiet;
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            releases:
              root: releases
              production: production
            reload:
              trigger: releases/reload.trigger
              pollInterval: 1s
              debounce: {(long)debounce.TotalMilliseconds}ms
              drainTimeout: {(long)(drainTimeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds}ms
              unloadTimeout: 30s
              watchConfig: false
              longLived: {longLived}
              keepPrevious: {(keepPrevious ? "true" : "false")}
            logging:
              minimumLevel: {logging.MinimumLevel}
              requestLog: {(logging.RequestLog ? "true" : "false")}
              bufferSize: {logging.BufferSize?.ToString(CultureInfo.InvariantCulture) ?? "~"}
            apps:

            """);
        foreach (var app in apps)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - name: {app.Name}
                    mount: {app.Mount}
                    assembly: {app.Assembly}
                    warmup: [{string.Join(", ", app.Warmup)}]

                """);
            if (app.Isolation is { } isolation)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    isolation: {isolation}\n");
            }

            if (app.Jit is { } jit)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    jit: {jit}\n");
            }

            if (app.Settings is { Count: > 0 } settings)
            {
                // Flat keys ("ConnectionStrings:Default") are what the host makes of nested maps anyway.
                yaml.Append("    settings:\n");
                foreach (var (key, value) in settings)
                {
                    yaml.Append(CultureInfo.InvariantCulture, $"      {key}: {Quoted(value)}\n");
                }
            }
        }

        yaml.Append(server ?? "");
        File.WriteAllText(ConfigPath, yaml.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temp folder.
        }
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quoted(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        foreach (var dir in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(dir, Path.Combine(target, Path.GetFileName(dir)));
        }
    }
}

using PluginHost.Core.Releases;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway deployment: a temp folder with config.yaml and releases/ holding real release folders
/// assembled from real plugin builds, a real production symlink and a real trigger file. Deleted on dispose.
/// </summary>
public sealed class TempReleases : IDisposable
{
    public TempReleases()
    {
        Root = Path.Combine(Path.GetTempPath(), "pluginhost-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(ReleasesRoot);
    }

    public string Root { get; }
    public string ReleasesRoot => Path.Combine(Root, "releases");
    public string ProductionLink => Path.Combine(ReleasesRoot, "production");
    public string Trigger => Path.Combine(ReleasesRoot, "reload.trigger");
    public string ConfigPath => Path.Combine(Root, "config.yaml");

    /// <summary>Creates releases/&lt;version&gt;/&lt;app&gt;/ from plugin builds: (app folder name, plugin project).</summary>
    public string CreateRelease(string version, params (string App, string Project)[] apps)
    {
        var folder = Path.Combine(ReleasesRoot, version);
        foreach (var (app, project) in apps)
        {
            CopyDirectory(RepoPaths.PluginBuild(project), Path.Combine(folder, app));
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The two sample apps; <paramref name="aggregation"/> picks the build of ReportingApi.Aggregation.dll.</summary>
    public string CreateSampleRelease(string version, string aggregation = "ReportingApi.Aggregation")
    {
        var folder = CreateRelease(version, ("ReportingApi", "ReportingApi"), ("WebApp", "WebApp"));
        ReplaceFile(version, "ReportingApi", Path.Combine(RepoPaths.PluginBuild(aggregation), "ReportingApi.Aggregation.dll"));
        return folder;
    }

    /// <summary>Overwrites one file of a release in place (same-folder redeploy).</summary>
    public void ReplaceFile(string version, string app, string sourceFile)
    {
        var target = Path.Combine(ReleasesRoot, version, app, Path.GetFileName(sourceFile));
        var staged = target + ".tmp";
        File.Copy(sourceFile, staged, overwrite: true);
        File.Move(staged, target, overwrite: true);
    }

    /// <summary>Points production at a version atomically: a new link renamed over the old one.</summary>
    public void Promote(string version)
    {
        SymlinkFlipper.Flip(ProductionLink, version);
    }

    /// <summary>Points production at any folder (an absolute link), e.g. one outside the releases root.</summary>
    public void PromoteTo(string folder) => SymlinkFlipper.Flip(ProductionLink, Path.GetFullPath(folder));

    /// <summary>Like 'touch': creates the file or moves its modification time forward.</summary>
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

    public void WriteConfig(string yaml) => File.WriteAllText(ConfigPath, yaml);

    /// <summary>
    /// A config.yaml serving <paramref name="apps"/> (the YAML list that goes under <c>apps:</c>) with quick reloads (see
    /// <see cref="WriteQuickReloadConfig"/>); <paramref name="reload"/> adds keys to the reload section, <paramref name="sections"/>
    /// whole top-level sections.
    /// </summary>
    public void WriteAppsConfig(string apps, string reload = "", string sections = "") =>
        WriteQuickReloadConfig($"{sections}\napps:\n{Indent(apps, "  ")}", reload);

    /// <summary>
    /// A config.yaml with quick reloads (polled every 200 ms, a 50 ms debounce, 10 s to drain and 10 s to unload) and the
    /// top-level <paramref name="sections"/> (apps included); <paramref name="reload"/> adds keys to the reload section.
    /// </summary>
    public void WriteQuickReloadConfig(string sections, string reload = "") => WriteConfig($"""
        releases:
          root: releases
        reload:
          trigger: releases/reload.trigger
          pollInterval: 200ms
          debounce: 50ms
          drainTimeout: 10s
          unloadTimeout: 10s
        {Indent(reload, "  ")}
        {sections}
        """);

    private static string Indent(string yaml, string indent) => string.Join("\n", yaml.Split('\n').Select(line => indent + line.TrimEnd('\r')));

    /// <summary>v1 and v2 of the samples, production on v1, the sample config on a fixed free port (for the CLI's status calls).</summary>
    public void ArrangeTwoSampleReleasesOnAFixedPort()
    {
        CreateSampleRelease("v1");
        CreateSampleRelease("v2", aggregation: "ReportingApi.Aggregation.V2");
        Promote("v1");
        WriteSampleConfig();
        File.AppendAllText(ConfigPath, $"server:\n  urls: http://127.0.0.1:{HostRunner.FreePort()}\n");
    }

    /// <summary>A config for the two sample apps; <paramref name="extra"/> is appended (more top-level sections).</summary>
    /// <param name="keepPrevious">reload.keepPrevious: false makes every flip build (tests of the build path flip back and forth).</param>
    public void WriteSampleConfig(string extraAppSettings = "", string pollInterval = "200ms", string debounce = "200ms", bool keepPrevious = true)
    {
        WriteConfig($"""
            releases:
              root: releases
            reload:
              trigger: releases/reload.trigger
              pollInterval: {pollInterval}
              debounce: {debounce}
              drainTimeout: 10s
              unloadTimeout: 10s
              keepPrevious: {(keepPrevious ? "true" : "false")}
            apps:
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
                static: wwwroot
                warmup: [/]
                settings:
                  siteName: Test site
              - name: ReportingApi
                mount: /api/v1
                assembly: ReportingApi/ReportingApi.dll
                warmup: [/version]
                settings:
                  reportTitle: Test report
                  figures: [1, 2, 3, 4]
            {extraAppSettings}
            """);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

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

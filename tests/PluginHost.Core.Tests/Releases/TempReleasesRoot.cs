using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

/// <summary>A throw-away folder with a config.yaml and a releases root holding real version folders and symlinks.</summary>
internal sealed class TempReleasesRoot : IDisposable
{
    public TempReleasesRoot()
    {
        Folder = Directory.CreateTempSubdirectory("pluginhost-releases-").FullName;
        Root = Path.Combine(Folder, "releases");
        Directory.CreateDirectory(Root);
        ConfigPath = Path.Combine(Folder, "config.yaml");
        File.WriteAllText(ConfigPath, "# stand-in: the tests hand HostConfig to the CLI directly\n");
    }

    public string Folder { get; }

    public string Root { get; }

    public string ConfigPath { get; }

    public string ProductionLink => Path.Combine(Root, "production");

    /// <summary>Starts long ago so folder write times, not history times, decide which release is newest.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public HostConfig Config { get; private set; } = null!;

    public TempReleasesRoot WithApps(params string[] apps)
    {
        Config = new HostConfig
        {
            SourcePath = ConfigPath,
            Releases = new ReleasesConfig { Root = Root, Production = "production" },
            Reload = new ReloadConfig { Trigger = Path.Combine(Root, "reload.trigger") },
            Apps = apps.Select(a => new AppConfig { Name = a, Mount = "/" + a.ToLowerInvariant(), Assembly = $"{a}/{a}.dll" }).ToList(),
        };
        return this;
    }

    /// <summary>Replaces each app's config (e.g. to set apps[].project or apps[].from), matched by name.</summary>
    public TempReleasesRoot WithApp(string name, Func<AppConfig, AppConfig> change)
    {
        Config = Config with { Apps = [.. Config.Apps.Select(app => app.Name == name ? change(app) : app)] };
        return this;
    }

    public ReleaseStore CreateStore() => new(Root, "production", Time, "tester");

    /// <summary>Creates releases/VERSION/APP/APP.dll for each app; <paramref name="age"/> sets the folder's write time back.</summary>
    public string AddRelease(string version, string[] apps, TimeSpan? age = null)
    {
        var path = Path.Combine(Root, version);
        foreach (var app in apps)
        {
            Directory.CreateDirectory(Path.Combine(path, app));
            File.WriteAllText(Path.Combine(path, app, app + ".dll"), "not really an assembly");
        }

        Directory.CreateDirectory(path);
        Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow - (age ?? TimeSpan.Zero));
        return path;
    }

    public string AddRelease(string version, TimeSpan? age = null)
        => AddRelease(version, Config.Apps.Select(a => a.Name).ToArray(), age);

    public string? ReadProduction() => new FileInfo(ProductionLink).LinkTarget;

    /// <summary>The names in the root, sorted, without the releases lock file (there once any command changed the root).</summary>
    public IEnumerable<string> Entries() =>
        Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).OfType<string>().Where(n => n != ReleasesLock.FileName).Order(StringComparer.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail the test that used it.
        }
    }
}

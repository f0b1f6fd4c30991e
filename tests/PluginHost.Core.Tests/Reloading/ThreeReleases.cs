using PluginHost.Core.Configuration;
using PluginHost.Core.Generations;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Reloading;

/// <summary>
/// The coordinator's tests without a server: releases v1, v2 and v3 (one app file each) in a temporary releases root,
/// production on v1, a config for them, and a generation builder that builds whatever release it is asked for.
/// </summary>
internal sealed class ThreeReleases : IDisposable
{
    public ThreeReleases(string name)
    {
        Root = Path.Combine(Path.GetTempPath(), $"pluginhost-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            Directory.CreateDirectory(Path.Combine(Root, "releases", version, "App"));
            File.WriteAllText(Path.Combine(Root, "releases", version, "App", "App.dll"), version);
        }

        File.WriteAllText(Path.Combine(Root, "config.yaml"), "apps: []");
        Config = new HostConfig
        {
            SourcePath = Path.Combine(Root, "config.yaml"),
            Releases = new ReleasesConfig { Root = Path.Combine(Root, "releases") },
            Reload = new ReloadConfig { Trigger = Path.Combine(Root, "releases", "reload.trigger") },
        };
        Flip("v1");
        Builder.BuildAsync(Arg.Any<HostConfig>(), Arg.Any<long>(), Arg.Any<CancellationToken>())
            .Returns(call => Generation(call.ArgAt<long>(1), ReleaseResolver.Resolve(Config.ProductionLink)));
        Builder.BuildAsync(Arg.Any<HostConfig>(), Arg.Any<long>(), Arg.Any<ResolvedRelease>(), Arg.Any<CancellationToken>())
            .Returns(call => Generation(call.ArgAt<long>(1), call.ArgAt<ResolvedRelease>(2)));
    }

    public string Root { get; }
    public HostConfig Config { get; }
    public IGenerationBuilder Builder { get; } = Substitute.For<IGenerationBuilder>();

    public void Flip(string version) => SymlinkFlipper.Flip(Config.ProductionLink, version);

    public static Generation Generation(long number, ResolvedRelease release) => new(number, release, [], DateTimeOffset.UnixEpoch);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

using PluginHost.Core.StaticFiles;

namespace PluginHost.Core.Tests.StaticFiles;

public sealed class ReleaseFileProviderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pluginhost-unit", Guid.NewGuid().ToString("N")[..12]);

    public ReleaseFileProviderTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "app", "wwwroot", "css"));
        File.WriteAllText(Path.Combine(_root, "app", "wwwroot", "css", "site.css"), "body{}");
        File.WriteAllText(Path.Combine(_root, "app", "wwwroot", "Lib.dll"), "MZ");
        File.WriteAllText(Path.Combine(_root, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_root, "app", "wwwroot", "out.txt"), Path.Combine(_root, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "app", "wwwroot", "in.css"), "css/site.css");
        Directory.CreateSymbolicLink(Path.Combine(_root, "app", "wwwroot", "up"), "../..");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("/css/site.css")]
    [InlineData("/in.css")]
    public void GetFileInfo_FileInsideTheFolder_Found(string subpath)
    {
        using var sut = new ReleaseFileProvider(Path.Combine(_root, "app", "wwwroot"));

        Assert.True(sut.GetFileInfo(subpath).Exists);
    }

    [Theory]
    [InlineData("/out.txt")]
    [InlineData("/up/secret.txt")]
    [InlineData("/../../secret.txt")]
    [InlineData("/css/../../../secret.txt")]
    [InlineData("/Lib.dll")]
    [InlineData("/css")]
    [InlineData("/css\\site.css")]
    [InlineData("/.hidden")]
    public void GetFileInfo_OutsideOrForbidden_NotFound(string subpath)
    {
        using var sut = new ReleaseFileProvider(Path.Combine(_root, "app", "wwwroot"));

        Assert.False(sut.GetFileInfo(subpath).Exists);
    }

    [Theory]
    [InlineData("App.dll", true)]
    [InlineData("App.DLL", true)]
    [InlineData("App.pdb", true)]
    [InlineData("App.deps.json", true)]
    [InlineData("App.runtimeconfig.json", true)]
    [InlineData("appsettings.Production.json", true)]
    [InlineData("web.config", true)]
    [InlineData("config.yaml", true)]
    [InlineData("App.dll.", true)]
    [InlineData("data.json", false)]
    [InlineData("site.css", false)]
    [InlineData("index.html", false)]
    public void IsBlocked_ReleaseCodeAndConfig_Blocked(string fileName, bool expected)
    {
        Assert.Equal(expected, ReleaseFileProvider.IsBlocked(fileName));
    }

    [Fact]
    public void RealPath_LinkedFolder_ResolvesToTheTarget()
    {
        var real = RealPath.Resolve(Path.Combine(_root, "app", "wwwroot", "up", "secret.txt"));

        Assert.Equal(RealPath.Resolve(Path.Combine(_root, "secret.txt")), real);
    }
}

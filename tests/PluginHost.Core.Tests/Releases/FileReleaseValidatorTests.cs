using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class FileReleaseValidatorTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps("ReportingApi", "WebApp");

    [Fact]
    public async Task ValidateAsync_AllAssembliesPresent_NoErrors()
    {
        var release = _releases.AddRelease("1");
        var sut = new FileReleaseValidator();

        Assert.Empty(await sut.ValidateAsync(_releases.Config, release));
    }

    [Fact]
    public async Task ValidateAsync_AppAssemblyMissing_ErrorNamesAppAndFile()
    {
        var release = _releases.AddRelease("1", ["ReportingApi"]);
        var sut = new FileReleaseValidator();

        var error = Assert.Single(await sut.ValidateAsync(_releases.Config, release));

        Assert.Contains("app 'WebApp'", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(release, "WebApp", "WebApp.dll"), error, StringComparison.Ordinal);
        Assert.Contains("missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_AssemblyOutsideRelease_Error()
    {
        var release = _releases.AddRelease("1");
        var config = _releases.Config with { Apps = [_releases.Config.Apps[0] with { Assembly = "../1/ReportingApi/ReportingApi.dll" }] };

        var error = Assert.Single(await new FileReleaseValidator().ValidateAsync(config, Path.Combine(_releases.Root, "1", "WebApp")));

        Assert.Contains("outside the release folder", error, StringComparison.Ordinal);
        Assert.NotNull(release);
    }

    [Fact]
    public async Task ValidateAsync_CompositeFirstFails_SecondNotCalled()
    {
        var release = _releases.AddRelease("1", ["ReportingApi"]);
        var loader = Substitute.For<IReleaseValidator>();
        var sut = new CompositeReleaseValidator(new FileReleaseValidator(), loader);

        Assert.Single(await sut.ValidateAsync(_releases.Config, release));
        await loader.DidNotReceiveWithAnyArgs().ValidateAsync(default!, default!, default);
    }

    public void Dispose() => _releases.Dispose();
}

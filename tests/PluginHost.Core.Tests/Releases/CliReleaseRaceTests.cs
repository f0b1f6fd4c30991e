using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

/// <summary>Issue 12: what the CLI says when another command changed the releases root while it ran.</summary>
public sealed class CliReleaseRaceTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps("ReportingApi", "WebApp");
    private readonly CliHarness _cli;

    public CliReleaseRaceTests() => _cli = new CliHarness(_releases);

    [Fact]
    public async Task Promote_AnotherPromoteWhileValidating_BothRecordedAndTheLaterOneSaysSo()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        _releases.AddRelease("3");
        _releases.CreateStore().Promote("1");
        // While 'promote 3' validates, another operator promotes 2.
        _cli.Validator = Substitute.For<IReleaseValidator>();
        _cli.Validator.ValidateAsync(default!, default!, default).ReturnsForAnyArgs(_ =>
        {
            _releases.CreateStore().Promote("2");
            return Task.FromResult<IReadOnlyList<string>>([]);
        });

        var exitCode = await _cli.RunAsync("promote", "3");

        Assert.Equal(0, exitCode);
        Assert.Contains("production: 2 -> 3", _cli.Out, StringComparison.Ordinal);
        Assert.Contains("warning: production changed while this command ran", _cli.Error, StringComparison.Ordinal);
        var flips = _releases.CreateStore().History.ReadAll().Select(e => (e.From, e.To));
        Assert.Equal([(null, "1"), ("1", "2"), ("2", "3")], flips);
    }

    [Fact]
    public async Task Publish_NamedLikeTheReloadTrigger_Exit1AndNothingCreated()
    {
        var exitCode = await _cli.RunAsync("publish", "reload.trigger");

        Assert.Equal(1, exitCode);
        Assert.Contains("reserved", _cli.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(_releases.Root, "reload.trigger")));
        await _cli.ProcessRunner.DidNotReceiveWithAnyArgs().RunAsync(default!, default!, default!, default!, default);
    }

    [Fact]
    public async Task Validate_ProductionLeadsOutsideTheRoot_Warns()
    {
        var outside = Directory.CreateTempSubdirectory("pluginhost-outside-").FullName;
        try
        {
            _releases.AddRelease("1");
            File.CreateSymbolicLink(_releases.ProductionLink, outside);

            var exitCode = await _cli.RunAsync("validate", "1");

            Assert.Equal(0, exitCode);
            Assert.Contains($"warning: {_releases.ProductionLink} leads to {outside}, outside the releases root", _cli.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    public void Dispose() => _releases.Dispose();
}

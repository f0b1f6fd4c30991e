using System.Net;
using System.Text;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class CliTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new TempReleasesRoot().WithApps("ReportingApi", "WebApp");
    private readonly CliHarness _cli;

    public CliTests() => _cli = new CliHarness(_releases);

    [Fact]
    public async Task HashPassword_SecretOnInput_PrintsAVerifiableUsersFileLine()
    {
        _cli.Secret = "correct horse";

        var exitCode = await _cli.RunAsync("hash-password", "alice", "--iterations", "1000");

        Assert.Equal(0, exitCode);
        var line = _cli.Out.Trim();
        Assert.StartsWith("alice:pbkdf2-sha256:1000:", line, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", line, StringComparison.Ordinal);
        var hash = PluginHost.Core.Authentication.PasswordHasher.TryParse(line["alice:".Length..], out var error);
        Assert.Null(error);
        Assert.True(PluginHost.Core.Authentication.PasswordHasher.Verify("correct horse", hash!));
        Assert.False(PluginHost.Core.Authentication.PasswordHasher.Verify("wrong", hash!));
    }

    [Fact]
    public async Task HashPassword_NoSecret_Exit1()
    {
        var exitCode = await _cli.RunAsync("hash-password", "alice");

        Assert.Equal(1, exitCode);
        Assert.Contains("no secret", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_ValidRelease_Exit0AndProductionFlipped()
    {
        _releases.AddRelease("1.5.0");

        var exitCode = await _cli.RunAsync("promote", "1.5.0");

        Assert.Equal(0, exitCode);
        Assert.Equal("1.5.0", _releases.ReadProduction());
        Assert.Contains("production: (none) -> 1.5.0", _cli.Out, StringComparison.Ordinal);
        Assert.Equal("", _cli.Error);
    }

    [Fact]
    public async Task Promote_ReleaseMissingAppAssembly_Exit1AndProductionUnchanged()
    {
        _releases.AddRelease("1.4.2");
        _releases.AddRelease("1.5.0", ["ReportingApi"]);
        _releases.CreateStore().Promote("1.4.2");

        var exitCode = await _cli.RunAsync("promote", "1.5.0");

        Assert.Equal(1, exitCode);
        Assert.Equal("1.4.2", _releases.ReadProduction());
        Assert.StartsWith("error: promote refused: release '1.5.0' is not valid", _cli.Error, StringComparison.Ordinal);
        Assert.Contains("app 'WebApp'", _cli.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("1.5.0", "WebApp", "WebApp.dll"), _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_ValidatorReportsLoadFailure_Exit1AndProductionUnchanged()
    {
        _releases.AddRelease("1.5.0");
        _cli.Validator = Substitute.For<IReleaseValidator>();
        _cli.Validator.ValidateAsync(default!, default!, default).ReturnsForAnyArgs(["app 'WebApp': WebApp.dll: TypeLoadException: no IPluginApp"]);

        var exitCode = await _cli.RunAsync("promote", "1.5.0");

        Assert.Equal(1, exitCode);
        Assert.Null(_releases.ReadProduction());
        Assert.Contains("TypeLoadException", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_NoValidate_FlipsWithLoudWarning()
    {
        _releases.AddRelease("1.5.0", ["ReportingApi"]);

        var exitCode = await _cli.RunAsync("promote", "1.5.0", "--no-validate");

        Assert.Equal(0, exitCode);
        Assert.Equal("1.5.0", _releases.ReadProduction());
        Assert.Contains("WARNING: --no-validate", _cli.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("missing")]
    public async Task Promote_BadOrMissingVersion_Exit1OneLineAndProductionUnchanged(string version)
    {
        _releases.AddRelease("1.0.0");
        _releases.CreateStore().Promote("1.0.0");

        var exitCode = await _cli.RunAsync("promote", version);

        Assert.Equal(1, exitCode);
        Assert.Equal("1.0.0", _releases.ReadProduction());
        Assert.StartsWith("error: ", _cli.Error, StringComparison.Ordinal);
        Assert.Single(_cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Promote_LeadingDashVersion_Exit1AndProductionUnchanged()
    {
        _releases.AddRelease("1.0.0");
        _releases.CreateStore().Promote("1.0.0");

        var asOption = await _cli.RunAsync("promote", "-rf");
        var asArgument = await _cli.RunAsync("promote", "--", "-rf");

        Assert.Equal((1, 1), (asOption, asArgument));
        Assert.Equal("1.0.0", _releases.ReadProduction());
        Assert.Contains("must not start with '-'", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_AfterTwoPromotes_Exit0BackToPreviousWithHistory()
    {
        _releases.AddRelease("1.4.2");
        _releases.AddRelease("1.5.0");
        Assert.Equal(0, await _cli.RunAsync("promote", "1.4.2"));
        Assert.Equal(0, await _cli.RunAsync("promote", "1.5.0"));

        var exitCode = await _cli.RunAsync("rollback");

        Assert.Equal(0, exitCode);
        Assert.Equal("1.4.2", _releases.ReadProduction());
        var last = _releases.CreateStore().History.ReadAll()[^1];
        Assert.Equal((ReleaseActions.Rollback, "1.5.0", "1.4.2", "tester"), (last.Action, last.From, last.To, last.User));
    }

    [Fact]
    public async Task Rollback_NothingToRollBackTo_Exit1()
    {
        _releases.AddRelease("1");
        Assert.Equal(0, await _cli.RunAsync("promote", "1"));

        var exitCode = await _cli.RunAsync("rollback");

        Assert.Equal(1, exitCode);
        Assert.Contains("nothing to roll back to", _cli.Error, StringComparison.Ordinal);
        Assert.Equal("1", _releases.ReadProduction());
    }

    [Fact]
    public async Task Rollback_ToBadReleaseWithoutForce_Exit1()
    {
        _releases.AddRelease("1");
        _releases.AddRelease("2");
        var store = _releases.CreateStore();
        store.Promote("2");
        store.MarkBad("1", "crashed on load");

        var exitCode = await _cli.RunAsync("rollback", "--to", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("marked bad (crashed on load)", _cli.Error, StringComparison.Ordinal);
        Assert.Equal("2", _releases.ReadProduction());
    }

    [Fact]
    public async Task Releases_WithProductionRollbackTargetAndBad_ShowsMarksAndHistory()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(3));
        _releases.AddRelease("2", TimeSpan.FromDays(2));
        _releases.AddRelease("3", TimeSpan.FromDays(1));
        var store = _releases.CreateStore();
        store.Promote("1");
        store.Promote("2");
        store.MarkBad("3", "boom");

        var exitCode = await _cli.RunAsync("releases");

        Assert.Equal(0, exitCode);
        var lines = _cli.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("* 2 ", StringComparison.Ordinal) && l.EndsWith("production", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  1 ", StringComparison.Ordinal) && l.EndsWith("rollback target", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  3 ", StringComparison.Ordinal) && l.EndsWith("BAD: boom", StringComparison.Ordinal));
        Assert.Contains("promote   1 -> 2  (tester)", _cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValidRelease_Exit0AndProductionUntouched()
    {
        _releases.AddRelease("1");

        var exitCode = await _cli.RunAsync("validate", "1");

        Assert.Equal(0, exitCode);
        Assert.Contains("release '1' is valid", _cli.Out, StringComparison.Ordinal);
        Assert.Null(_releases.ReadProduction());
    }

    [Fact]
    public async Task Prune_KeepOne_Exit0AndKeepsProductionAndRollbackTarget()
    {
        _releases.AddRelease("1", TimeSpan.FromDays(4));
        _releases.AddRelease("2", TimeSpan.FromDays(3));
        _releases.AddRelease("3", TimeSpan.FromDays(2));
        _releases.AddRelease("4", TimeSpan.FromDays(1));
        var store = _releases.CreateStore();
        store.Promote("1");
        store.Promote("2");

        var exitCode = await _cli.RunAsync("prune", "--keep", "1");

        Assert.Equal(0, exitCode);
        Assert.Equal(["1", "2", "4"], store.ListVersions().Select(v => v.Version).Order(StringComparer.Ordinal));
        Assert.Contains("deleted: 3", _cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_NegativeKeep_Exit1()
    {
        Assert.Equal(1, await _cli.RunAsync("prune", "--keep", "-1"));
    }

    [Fact]
    public async Task Reload_NoTriggerYet_Exit0AndCreatesItWithCurrentTime()
    {
        var exitCode = await _cli.RunAsync("reload");

        Assert.Equal(0, exitCode);
        var trigger = Path.Combine(_releases.Root, "reload.trigger");
        Assert.True(File.Exists(trigger));
        Assert.Equal(_releases.Time.GetUtcNow().UtcDateTime, File.GetLastWriteTimeUtc(trigger));
    }

    [Fact]
    public async Task Publish_TwoApps_RunsDotnetPublishPerAppAndRenamesIntoPlace()
    {
        CreateRepository();
        _cli.ProcessRunner.RunAsync("dotnet", default!, default!, default!, default).ReturnsForAnyArgs(call =>
        {
            var arguments = call.ArgAt<IReadOnlyList<string>>(1);
            var output = arguments[arguments.ToList().IndexOf("-o") + 1];
            var app = Path.GetFileName(output);
            Assert.DoesNotContain("1.5.0", Directory.EnumerateDirectories(_releases.Root).Select(Path.GetFileName));
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, app + ".dll"), "built");
            return 0;
        });

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.Equal(0, exitCode);
        Assert.True(File.Exists(Path.Combine(_releases.Root, "1.5.0", "WebApp", "WebApp.dll")));
        Assert.True(File.Exists(Path.Combine(_releases.Root, "1.5.0", "ReportingApi", "ReportingApi.dll")));
        await _cli.ProcessRunner.Received(1).RunAsync(Arg.Is<string>(f => Path.GetFileName(f) == "dotnet"),
            Arg.Is<IReadOnlyList<string>>(a => a[0] == "publish" && a[1] == Path.Combine(_releases.Folder, "plugins", "WebApp", "WebApp.csproj") && a.Contains("Release")),
            _releases.Folder, Arg.Any<TextWriter>(), Arg.Any<CancellationToken>());
        Assert.Equal(["1.5.0", "history.log"], _releases.Entries());
    }

    [Fact]
    public async Task Publish_BuildFails_Exit1AndNoReleaseFolder()
    {
        CreateRepository();
        _cli.ProcessRunner.RunAsync(default!, default!, default!, default!, default).ReturnsForAnyArgs(1);

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.Equal(1, exitCode);
        Assert.Contains("failed with exit code 1", _cli.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_releases.Root));
    }

    [Fact]
    public async Task Publish_ExistingVersionWithoutForce_Exit1AndUntouched()
    {
        CreateRepository();
        _releases.AddRelease("1.5.0");

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        Assert.Equal(1, exitCode);
        Assert.Contains("--force", _cli.Error, StringComparison.Ordinal);
        await _cli.ProcessRunner.DidNotReceiveWithAnyArgs().RunAsync(default!, default!, default!, default!, default);
    }

    [Fact]
    public async Task Status_HostAnswers_Exit0AndPrintsSummary()
    {
        const string json = """{"generation":3,"lastReload":{"at":"2030-01-01T00:00:00Z","ok":true},"apps":[{"name":"WebApp","version":"1.5.0","generation":3}]}""";
        var handler = new StubHandler(HttpStatusCode.OK, json);
        _cli.CreateHttpClient = () => new HttpClient(handler);

        var exitCode = await _cli.RunAsync("status");

        Assert.Equal(0, exitCode);
        Assert.Equal("http://127.0.0.1:8080/_pluginhost/status", handler.RequestedUri?.ToString());
        Assert.Contains("  - name: WebApp", _cli.Out, StringComparison.Ordinal);
        Assert.Contains("version: 1.5.0", _cli.Out, StringComparison.Ordinal);
        Assert.Contains("ok: true", _cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_HostNotRunning_Exit1WithClearMessage()
    {
        _cli.CreateHttpClient = () => new HttpClient(new StubHandler(new HttpRequestException("Connection refused")));

        var exitCode = await _cli.RunAsync("status");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: the host is not running at http://127.0.0.1:8080", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NoVerb_RunsServeWithConfigAndUrls()
    {
        var exitCode = await _cli.RunAsync("--urls", "http://127.0.0.1:5001; http://127.0.0.1:5002");

        Assert.Equal(0, exitCode);
        var call = Assert.Single(_cli.ServeCalls);
        Assert.Equal(_releases.ConfigPath, call.ConfigPath);
        Assert.Equal(["http://127.0.0.1:5001", "http://127.0.0.1:5002"], call.Urls);
    }

    [Theory]
    [InlineData("publish")]
    [InlineData("releases")]
    [InlineData("validate")]
    [InlineData("promote")]
    [InlineData("rollback")]
    [InlineData("reload")]
    [InlineData("status")]
    [InlineData("serve")]
    [InlineData("prune")]
    [InlineData("hash-password")]
    public async Task Help_EveryVerb_Exit0WithUsage(string verb)
    {
        var exitCode = await _cli.RunAsync(verb, "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", _cli.Out, StringComparison.Ordinal);
        Assert.Contains("--config", _cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_ConfigMissing_Exit1()
    {
        File.Delete(_releases.ConfigPath);

        Assert.Equal(1, await _cli.RunAsync("releases"));
        Assert.Contains("config file", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_UnexpectedException_Exit2()
    {
        _releases.AddRelease("1");
        _cli.Validator = Substitute.For<IReleaseValidator>();
        _cli.Validator.ValidateAsync(default!, default!, default).ReturnsForAnyArgs<Task<IReadOnlyList<string>>>(_ => throw new InvalidOperationException("bug"));

        Assert.Equal(2, await _cli.RunAsync("validate", "1"));
        Assert.Contains("unexpected failure", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishPromoteRollback_RoundTrip_ServesEachVersionAndRecordsHistory()
    {
        CreateRepository();
        var build = "first build";
        _cli.ProcessRunner.RunAsync("dotnet", default!, default!, default!, default).ReturnsForAnyArgs(call => FakePublish(call.ArgAt<IReadOnlyList<string>>(1), build));

        Assert.Equal(0, await _cli.RunAsync("publish", "1.4.2"));
        build = "second build";
        Assert.Equal(0, await _cli.RunAsync("publish", "1.5.0"));
        Assert.Equal(0, await _cli.RunAsync("promote", "1.4.2"));
        var promote = await _cli.RunAsync("promote", "1.5.0");
        Assert.Equal("1.5.0", _releases.ReadProduction());
        Assert.Equal("second build", File.ReadAllText(Path.Combine(_releases.ProductionLink, "WebApp", "WebApp.dll")));

        var rollback = await _cli.RunAsync("rollback");

        Assert.Equal((0, 0), (promote, rollback));
        Assert.Contains("production: 1.5.0 -> 1.4.2", _cli.Out, StringComparison.Ordinal);
        Assert.Equal("1.4.2", _releases.ReadProduction());
        Assert.Equal("first build", File.ReadAllText(Path.Combine(_releases.ProductionLink, "WebApp", "WebApp.dll")));
        Assert.Equal(
            [(ReleaseActions.Publish, null, "1.4.2"), (ReleaseActions.Publish, null, "1.5.0"), (ReleaseActions.Promote, null, "1.4.2"),
             (ReleaseActions.Promote, "1.4.2", "1.5.0"), (ReleaseActions.Rollback, "1.5.0", "1.4.2")],
            _releases.CreateStore().History.ReadAll().Select(e => (e.Action, e.From, e.To)));
        Assert.Equal(0, await _cli.RunAsync("releases"));
        Assert.Contains(_cli.Out.Split('\n'), l => l.StartsWith("* 1.4.2 ", StringComparison.Ordinal) && l.EndsWith("production", StringComparison.Ordinal));
        Assert.Contains("rollback  1.5.0 -> 1.4.2  (tester)", _cli.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("missing")]
    public async Task Validate_BadOrMissingVersion_Exit1OneLineAndProductionUnchanged(string version)
    {
        _releases.AddRelease("1.0.0");
        _releases.CreateStore().Promote("1.0.0");

        var exitCode = await _cli.RunAsync("validate", version);

        AssertRefusedWithOneLine(exitCode);
        Assert.Equal("1.0.0", _releases.ReadProduction());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("production")]
    [InlineData("history.log")]
    public async Task Publish_BadVersionName_Exit1OneLineNothingBuiltAndProductionUnchanged(string version)
    {
        CreateRepository();
        _releases.AddRelease("1.0.0");
        _releases.CreateStore().Promote("1.0.0");
        var entriesBefore = Directory.EnumerateFileSystemEntries(_releases.Root).Order(StringComparer.Ordinal).ToList();

        var exitCode = await _cli.RunAsync("publish", version);

        AssertRefusedWithOneLine(exitCode);
        Assert.Equal("1.0.0", _releases.ReadProduction());
        Assert.Equal(entriesBefore, Directory.EnumerateFileSystemEntries(_releases.Root).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_releases.Folder, "x")));
        await _cli.ProcessRunner.DidNotReceiveWithAnyArgs().RunAsync(default!, default!, default!, default!, default);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("missing")]
    public async Task RollbackTo_BadOrMissingVersion_Exit1OneLineAndProductionUnchanged(string version)
    {
        _releases.AddRelease("1.0.0");
        _releases.AddRelease("2.0.0");
        var store = _releases.CreateStore();
        store.Promote("1.0.0");
        store.Promote("2.0.0");
        var historyBefore = store.History.ReadAll().Count;

        var exitCode = await _cli.RunAsync("rollback", "--to", version);

        AssertRefusedWithOneLine(exitCode);
        Assert.Equal("2.0.0", _releases.ReadProduction());
        Assert.Equal(historyBefore, store.History.ReadAll().Count);
    }

    [Fact]
    public async Task Publish_ForceOverExistingRelease_ReplacesItWhole()
    {
        CreateRepository();
        _releases.AddRelease("1.5.0");
        File.WriteAllText(Path.Combine(_releases.Root, "1.5.0", "from-the-old-build"), "old");
        _releases.AddRelease("1.4.2");
        _releases.CreateStore().Promote("1.4.2");
        _cli.ProcessRunner.RunAsync("dotnet", default!, default!, default!, default).ReturnsForAnyArgs(call => FakePublish(call.ArgAt<IReadOnlyList<string>>(1), "rebuilt"));

        var exitCode = await _cli.RunAsync("publish", "1.5.0", "--force");

        Assert.Equal(0, exitCode);
        Assert.Equal("rebuilt", File.ReadAllText(Path.Combine(_releases.Root, "1.5.0", "WebApp", "WebApp.dll")));
        Assert.Equal("rebuilt", File.ReadAllText(Path.Combine(_releases.Root, "1.5.0", "ReportingApi", "ReportingApi.dll")));
        Assert.False(File.Exists(Path.Combine(_releases.Root, "1.5.0", "from-the-old-build")));
        Assert.Equal(["1.4.2", "1.5.0", "history.log", "production"], _releases.Entries());
        Assert.Equal("1.4.2", _releases.ReadProduction());
        var last = _releases.CreateStore().History.ReadAll()[^1];
        Assert.Equal((ReleaseActions.Publish, "1.5.0"), (last.Action, last.To));
    }

    [Fact]
    public async Task Publish_ForceOverProduction_Exit1AndProductionUntouched()
    {
        CreateRepository();
        _releases.AddRelease("1.5.0");
        File.WriteAllText(Path.Combine(_releases.Root, "1.5.0", "served"), "served");
        _releases.CreateStore().Promote("1.5.0");

        var exitCode = await _cli.RunAsync("publish", "1.5.0", "--force");

        AssertRefusedWithOneLine(exitCode);
        Assert.Contains("is production", _cli.Error, StringComparison.Ordinal);
        Assert.Equal("1.5.0", _releases.ReadProduction());
        Assert.Equal("served", File.ReadAllText(Path.Combine(_releases.Root, "1.5.0", "served")));
        await _cli.ProcessRunner.DidNotReceiveWithAnyArgs().RunAsync(default!, default!, default!, default!, default);
    }

    [Fact]
    public async Task Publish_ReleasesRootIsAFile_Exit1OneLineNamingThePath()
    {
        CreateRepository();
        Directory.Delete(_releases.Root);
        File.WriteAllText(_releases.Root, "not a folder");

        var exitCode = await _cli.RunAsync("publish", "1.5.0");

        AssertRefusedWithOneLine(exitCode);
        Assert.Contains(_releases.Root, _cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_TriggerIsAFolder_Exit1OneLineNamingThePath()
    {
        var trigger = Path.Combine(_releases.Root, "reload.trigger");
        Directory.CreateDirectory(trigger);

        var exitCode = await _cli.RunAsync("reload");

        AssertRefusedWithOneLine(exitCode);
        Assert.Contains(trigger, _cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_DiskFull_Exit1OneLineWithPathAndCause()
    {
        _releases.AddRelease("1");
        _cli.Validator = Substitute.For<IReleaseValidator>();
        _cli.Validator.ValidateAsync(default!, default!, default).ReturnsForAnyArgs<Task<IReadOnlyList<string>>>(
            _ => throw new IOException("No space left on device : '/srv/releases/.staging-1'"));

        var exitCode = await _cli.RunAsync("promote", "1");

        AssertRefusedWithOneLine(exitCode);
        Assert.Contains("No space left on device : '/srv/releases/.staging-1'", _cli.Error, StringComparison.Ordinal);
        Assert.Null(_releases.ReadProduction());
    }

    [Fact]
    public async Task AnyVerb_PermissionDenied_Exit1OneLineWithPathAndCause()
    {
        _releases.AddRelease("1");
        _cli.Validator = Substitute.For<IReleaseValidator>();
        _cli.Validator.ValidateAsync(default!, default!, default).ReturnsForAnyArgs<Task<IReadOnlyList<string>>>(
            _ => throw new UnauthorizedAccessException("Access to the path '/srv/releases/1' is denied.", new IOException("Permission denied")));

        var exitCode = await _cli.RunAsync("validate", "1");

        AssertRefusedWithOneLine(exitCode);
        Assert.Contains("Access to the path '/srv/releases/1' is denied", _cli.Error, StringComparison.Ordinal);
        Assert.Contains("Permission denied", _cli.Error, StringComparison.Ordinal);
    }

    /// <summary>Exit 1 and exactly one 'error:' line on stderr, no stack trace.</summary>
    private void AssertRefusedWithOneLine(int exitCode)
    {
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", _cli.Error, StringComparison.Ordinal);
        Assert.Single(_cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>What 'dotnet publish -o DIR' would leave: DIR/App.dll, here holding <paramref name="content"/>.</summary>
    private static int FakePublish(IReadOnlyList<string> arguments, string content)
    {
        var output = arguments[arguments.ToList().IndexOf("-o") + 1];
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, Path.GetFileName(output) + ".dll"), content);
        return 0;
    }

    private void CreateRepository()
    {
        File.WriteAllText(Path.Combine(_releases.Folder, "PluginHost.sln"), "");
        foreach (var app in new[] { "ReportingApi", "WebApp" })
        {
            Directory.CreateDirectory(Path.Combine(_releases.Folder, "plugins", app));
            File.WriteAllText(Path.Combine(_releases.Folder, "plugins", app, app + ".csproj"), "<Project />");
        }
    }

    public void Dispose() => _releases.Dispose();

    private sealed class StubHandler : HttpMessageHandler
    {
        private readonly HttpStatusCode _status;
        private readonly string _body = "";
        private readonly Exception? _failure;

        public StubHandler(HttpStatusCode status, string body) => (_status, _body) = (status, body);

        public StubHandler(Exception failure) => _failure = failure;

        public Uri? RequestedUri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            RequestedUri = request.RequestUri;
            return _failure is not null
                ? Task.FromException<HttpResponseMessage>(_failure)
                : Task.FromResult(new HttpResponseMessage(_status) { Content = new StringContent(_body, Encoding.UTF8, "application/json") });
        }
    }
}

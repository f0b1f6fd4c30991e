// PluginHost build script. Run through the local tool: `dotnet tool restore && dotnet cake --target=<Task>`.
//
//   Build    dotnet build PluginHost.sln -c Release
//   Test     dotnet test PluginHost.sln -c Release, then one closing line "Total: N passed, N failed, N skipped"
//   Publish  publishes the sample apps into releases/v<version>/<App>/   (--release-version=1.2.0, --force)
//   Promote  points releases/production at releases/v<version>, atomically (--release-version=1.2.0,
//            --no-validate, --force)
//   Run      publishes and promotes the default version if there is no releases/production, then serves
//            (--urls="http://127.0.0.1:9090" listens there instead of server.urls; Ctrl+C stops it)
//
// The version argument is --release-version (Cake itself owns --version). Its default is the <Version>
// in plugins/Directory.Build.props.
//
//   Pack     packs the plugin contract (host/PluginHost.Abstractions) into artifacts/packages/PluginHost.Abstractions.<contract
//            version>.nupkg, for plugins built outside this repository (templates/PluginHost.Plugin builds against it)
//
//   Rollback points releases/production back at the previous good release (--to=v1.4.2, --no-validate, --force)
//   Bench    runs the benchmark suite (--quick for the smoke mode)
//
// Publish, Promote and Rollback call the pluginhost CLI's verbs (host/PluginHost/Cli): no second implementation.
// Their options are handed to the verb as they are: --force (publish: replace a release that is not production;
// promote/rollback: flip to a release marked bad), --no-validate (promote/rollback: EMERGENCY ONLY) and
// --to=<version> (rollback: that release instead of the previous production; the verb checks the name).

#nullable enable

using System.Text.RegularExpressions;
using System.Xml.Linq;

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var force = HasArgument("force");

var repoRoot = Context.Environment.WorkingDirectory;
var solution = repoRoot.CombineWithFilePath("PluginHost.sln");
var releasesRoot = repoRoot.Combine("releases");
var productionLink = releasesRoot.Combine("production").FullPath;
var testResults = repoRoot.Combine("artifacts/test-results");

// ---------------------------------------------------------------------------------------------- tasks

Task("Build")
    .Does(() => DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration }));

Task("Test")
    .Does(() =>
{
    EnsureDirectoryExists(testResults);
    CleanDirectory(testResults);

    Exception? failure = null;
    try
    {
        DotNetTest(solution.FullPath, new DotNetTestSettings
        {
            Configuration = configuration,
            ResultsDirectory = testResults,
            Loggers = { "console;verbosity=normal", "trx" },
        });
    }
    catch (Exception exception)
    {
        failure = exception;
    }

    // Printed even when tests failed, so that a failing run still says how many.
    WriteTestSummary();
    if (failure is not null)
    {
        throw new CakeException($"Tests failed: {failure.Message}");
    }
});

// Re-prints the summary of the last test run from its .trx files.
Task("TestSummary")
    .Does(() => WriteTestSummary());

// The package version is the contract version: the <Version> of PluginHost.Abstractions.csproj.
Task("Pack")
    .Does(() => DotNetPack(repoRoot.CombineWithFilePath("host/PluginHost.Abstractions/PluginHost.Abstractions.csproj").FullPath,
        new DotNetPackSettings { Configuration = configuration, OutputDirectory = repoRoot.Combine("artifacts/packages") }));

Task("Publish")
    .Does(() => PublishRelease(ReleaseVersion(), force));

Task("Promote")
    .Does(() => PromoteRelease(ReleaseVersion(), FlipOptions()));

Task("Rollback")
    .Does(() => Cli(new[] { "rollback" }.Concat(RollbackTarget()).Concat(FlipOptions()).ToArray()));

Task("Bench")
    .Does(() => DotNetRun(repoRoot.CombineWithFilePath("tests/PluginHost.Benchmarks/PluginHost.Benchmarks.csproj").FullPath,
        HasArgument("quick") ? new ProcessArgumentBuilder().Append("--quick") : new ProcessArgumentBuilder(),
        new DotNetRunSettings { Configuration = "Release" }));

Task("Run")
    .Does(() =>
{
    EnsureProductionRelease();
    var serve = new ProcessArgumentBuilder().Append("serve").Append("--config").AppendQuoted(repoRoot.CombineWithFilePath("config.yaml").FullPath);
    // --urls=URL[;URL] is handed to 'serve' as it is: the verb checks it.
    if (HasArgument("urls"))
    {
        serve.Append("--urls").AppendQuoted(Argument<string>("urls"));
    }

    DotNetRun(repoRoot.CombineWithFilePath("host/PluginHost/PluginHost.csproj").FullPath, serve, new DotNetRunSettings { Configuration = configuration });
});

Task("Default")
    .IsDependentOn("Test");

RunTarget(target);

// ---------------------------------------------------------------------------------------------- versions

// "--release-version=1.2.0" or "v1.2.0"; without it, the <Version> of plugins/Directory.Build.props.
string ReleaseVersion()
{
    var version = HasArgument("release-version") ? Argument<string>("release-version") : DefaultReleaseVersion();
    version = version.Trim();
    if (version.StartsWith("v", StringComparison.OrdinalIgnoreCase))
    {
        version = version[1..];
    }

    if (!Regex.IsMatch(version, @"^[0-9]+(\.[0-9]+){1,3}(-[0-9A-Za-z.-]+)?$"))
    {
        throw new CakeException($"'{version}' is not a release version: use numbers like 1.2.0 (optionally -suffix), e.g. --release-version=1.2.0.");
    }

    return version;
}

string DefaultReleaseVersion()
{
    var props = repoRoot.CombineWithFilePath("plugins/Directory.Build.props").FullPath;
    var version = XDocument.Load(props).Descendants("Version").Select(e => e.Value.Trim()).FirstOrDefault();
    return string.IsNullOrEmpty(version)
        ? throw new CakeException($"No <Version> in {props}: add one, or pass --release-version=1.2.0.")
        : version;
}

DirectoryPath VersionFolder(string version) => releasesRoot.Combine($"v{version}");

// ---------------------------------------------------------------------------------------------- release verbs

// Publish, Promote and Rollback run the pluginhost CLI's own verbs: one implementation of the release rules
// (names, atomic flip, validation with the host's loading code, history, bad marks).
void Cli(params string[] arguments)
{
    var builder = new ProcessArgumentBuilder();
    foreach (var argument in arguments)
    {
        builder.AppendQuoted(argument);
    }

    builder.Append("--config").AppendQuoted(repoRoot.CombineWithFilePath("config.yaml").FullPath);
    DotNetRun(repoRoot.CombineWithFilePath("host/PluginHost/PluginHost.csproj").FullPath, builder,
        new DotNetRunSettings { Configuration = configuration });
}

void PublishRelease(string version, bool overwrite)
{
    if (overwrite)
    {
        Cli("publish", $"v{version}", "--force");
    }
    else
    {
        Cli("publish", $"v{version}");
    }
}

void PromoteRelease(string version, params string[] options) => Cli(new[] { "promote", $"v{version}" }.Concat(options).ToArray());

// --no-validate and --force of Promote and Rollback, passed on to the verb.
string[] FlipOptions()
{
    var options = new List<string>();
    if (HasArgument("no-validate"))
    {
        options.Add("--no-validate");
    }

    if (force)
    {
        options.Add("--force");
    }

    return options.ToArray();
}

// Rollback's --to=<version>, passed on as it is: the verb validates the name and says what exists.
string[] RollbackTarget()
{
    if (!HasArgument("to"))
    {
        return Array.Empty<string>();
    }

    var to = Argument<string>("to", "");
    return string.IsNullOrWhiteSpace(to)
        ? throw new CakeException("--to needs a release, e.g. --to=v1.4.2 ('dotnet cake --target=Rollback' alone goes to the previous good release).")
        : new[] { "--to", to.Trim() };
}

// ---------------------------------------------------------------------------------------------- run

void EnsureProductionRelease()
{
    if (System.IO.Directory.Exists(productionLink))
    {
        return;
    }

    var version = ReleaseVersion();
    Information($"No usable releases/production: publishing and promoting v{version}.");
    if (!System.IO.Directory.Exists(VersionFolder(version).FullPath))
    {
        PublishRelease(version, overwrite: false);
    }

    PromoteRelease(version);
}

// ---------------------------------------------------------------------------------------------- test summary

// Sums the counters of every .trx file in the results folder and prints one plain closing line,
// "Total: N passed, N failed, N skipped", also written to artifacts/test-results/summary.txt.
void WriteTestSummary()
{
    var trxFiles = System.IO.Directory.GetFiles(testResults.FullPath, "*.trx", System.IO.SearchOption.AllDirectories);
    if (trxFiles.Length == 0)
    {
        Warning($"No test results (*.trx) in {testResults}: did the build fail before any test ran?");
        return;
    }

    int passed = 0, failed = 0, skipped = 0;
    var failures = new List<string>();
    foreach (var trx in trxFiles)
    {
        var document = XDocument.Load(trx);
        failures.AddRange(FailedTests(document));
        var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
        if (counters is null)
        {
            throw new CakeException($"{trx} has no <Counters>: the test run did not finish writing its results.");
        }

        int Count(string name) => int.TryParse((string?)counters.Attribute(name), out var value) ? value : 0;
        passed += Count("passed");
        failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted");
        skipped += Count("total") - Count("executed");
    }

    var line = $"Total: {passed} passed, {failed} failed, {skipped} skipped";
    var lines = failures.Append(line).ToList();
    System.IO.File.WriteAllLines(testResults.CombineWithFilePath("summary.txt").FullPath, lines);
    lines.ForEach(l => Information(l));
}

// One line per failed test, "FAILED: name: first line of the message", so that the tail of a CI log names them.
IEnumerable<string> FailedTests(XDocument trx)
{
    foreach (var result in trx.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && (string?)e.Attribute("outcome") == "Failed"))
    {
        var message = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
        var firstLine = message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(no message)";
        if (firstLine.Length > 1500) firstLine = firstLine[..1500] + "…";
        yield return $"FAILED: {(string?)result.Attribute("testName")}: {firstLine}";
    }
}

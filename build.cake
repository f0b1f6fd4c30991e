// PluginHost build script. Run through the local tool: `dotnet tool restore && dotnet cake --target=<Task>`.
//
//   Build    dotnet build PluginHost.sln -c Release
//   Test     dotnet test PluginHost.sln -c Release, then one closing line "Total: N passed, N failed, N skipped"
//   Publish  publishes the sample apps into releases/v<version>/<App>/   (--release-version=1.2.0, --force)
//   Promote  points releases/production at releases/v<version>, atomically (--release-version=1.2.0)
//   Run      publishes and promotes the default version if there is no releases/production, then serves
//
// The version argument is --release-version (Cake itself owns --version). Its default is the <Version>
// in plugins/Directory.Build.props.
//
// Publish and Promote are implemented here for now; they will call the pluginhost CLI's publish/promote
// verbs once those exist, keeping the same arguments.

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
var sampleApps = new[] { "ReportingApi", "WebApp" };

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

Task("Publish")
    .Does(() => PublishRelease(ReleaseVersion(), force));

Task("Promote")
    .Does(() => PromoteRelease(ReleaseVersion()));

Task("Run")
    .Does(() =>
{
    EnsureProductionRelease();
    DotNetRun(
        repoRoot.CombineWithFilePath("host/PluginHost/PluginHost.csproj").FullPath,
        new ProcessArgumentBuilder().Append("serve").Append("--config").AppendQuoted("config.yaml"),
        new DotNetRunSettings { Configuration = configuration });
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

// ---------------------------------------------------------------------------------------------- publish

// Publishes every sample app into a temporary folder inside releases/, then renames it into place:
// a half-built release never appears under its version's name.
void PublishRelease(string version, bool overwrite)
{
    var final = VersionFolder(version).FullPath;
    if (System.IO.Directory.Exists(final) && !overwrite)
    {
        throw new CakeException($"Release folder {final} already exists. Publish another version (--release-version=…), or pass --force to replace it.");
    }

    EnsureDirectoryExists(releasesRoot);
    var staging = releasesRoot.Combine($".publishing-v{version}-{Guid.NewGuid():N}").FullPath;
    try
    {
        foreach (var app in sampleApps)
        {
            PublishApp(app, version, System.IO.Path.Combine(staging, app));
        }

        MoveIntoPlace(staging, final);
        Information($"Published release v{version} to {final}");
    }
    finally
    {
        if (System.IO.Directory.Exists(staging))
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }
    }
}

void PublishApp(string app, string version, string outputFolder)
{
    DotNetPublish(repoRoot.CombineWithFilePath($"plugins/{app}/{app}.csproj").FullPath, new DotNetPublishSettings
    {
        Configuration = "Release",
        OutputDirectory = outputFolder,
        MSBuildSettings = new DotNetMSBuildSettings().SetVersion(version),
    });

    // The contract must come from the host: a private copy would make the app's types differ from the host's.
    var strayContract = System.IO.Path.Combine(outputFolder, "PluginHost.Abstractions.dll");
    if (System.IO.File.Exists(strayContract))
    {
        throw new CakeException($"{app} published its own PluginHost.Abstractions.dll. Reference the contract with Private=\"false\" ExcludeAssets=\"runtime\".");
    }
}

// Renames staging to final. With --force an existing final folder is first renamed aside, then deleted.
void MoveIntoPlace(string staging, string final)
{
    if (!System.IO.Directory.Exists(final))
    {
        System.IO.Directory.Move(staging, final);
        return;
    }

    var replaced = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(final)!, $".replaced-{System.IO.Path.GetFileName(final)}-{Guid.NewGuid():N}");
    System.IO.Directory.Move(final, replaced);
    System.IO.Directory.Move(staging, final);
    System.IO.Directory.Delete(replaced, recursive: true);
    Warning($"Replaced existing release folder {final} (--force). A host serving it must be reloaded to pick the new build up.");
}

// ---------------------------------------------------------------------------------------------- promote

// Points releases/production at releases/v<version>: a new relative symlink is created next to it and
// renamed over the old one (rename(2) is atomic), so readers always see either the old or the new target.
// The rename is `mv -T` (GNU coreutils): File.Move refuses a source that is a symlink to a directory.
void PromoteRelease(string version)
{
    var folder = VersionFolder(version).FullPath;
    if (!System.IO.Directory.Exists(folder))
    {
        throw new CakeException($"Release folder {folder} does not exist. Publish it first: dotnet cake --target=Publish --release-version={version}");
    }

    var previous = new System.IO.FileInfo(productionLink).LinkTarget;
    var temporaryLink = releasesRoot.Combine($".production-{Guid.NewGuid():N}").FullPath;
    System.IO.File.CreateSymbolicLink(temporaryLink, System.IO.Path.GetFileName(folder));
    var exitCode = StartProcess("mv", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("-T").AppendQuoted(temporaryLink).AppendQuoted(productionLink),
    });
    if (exitCode != 0)
    {
        System.IO.File.Delete(temporaryLink);
        throw new CakeException($"Could not move the new link over {productionLink} (mv exited with {exitCode}); releases/production is unchanged.");
    }

    Information($"releases/production -> {System.IO.Path.GetFileName(folder)}{(previous is null ? "" : $" (was {previous})")}");
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
    foreach (var trx in trxFiles)
    {
        var counters = XDocument.Load(trx).Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
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
    System.IO.File.WriteAllText(testResults.CombineWithFilePath("summary.txt").FullPath, line + Environment.NewLine);
    Information(line);
}

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real plugin builds are (building the solution puts them in artifacts/plugins/&lt;Project&gt;/), and where
/// tests leave files worth keeping (artifacts/test-results/, which build.cake's Test task collects).
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>artifacts/test-results/ under the repository root: the Test task's results folder, kept by CI.</summary>
    public static string TestResults => Path.Combine(Root, "artifacts", "test-results");

    public static string PluginBuild(string project)
    {
        var folder = Path.Combine(Root, "artifacts", "plugins", project);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"{folder} is missing: build the solution first (dotnet build PluginHost.sln)");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PluginHost.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PluginHost.sln not found above " + AppContext.BaseDirectory);
    }
}

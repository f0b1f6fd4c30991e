using PluginHost.IntegrationTests.RealApps.Scenarios;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// Two release folders with the same SQLite build: the host maps one copy of the native library, so the generations of
/// both folders share one SQLite engine. Two engines in one process ignore each other's locks on a database they share
/// (POSIX locks belong to the process), and an old and a new generation writing it at once failed with "disk I/O error".
/// </summary>
public sealed class SharedNativeLibraryTests
{
    private const string Sqlite = "libe_sqlite3";

    [Fact]
    public async Task Promote_ToAnotherFolderWithTheSameSqlite_MapsOneCopyAndServesFromIt()
    {
        var scenario = new EfCoreSqliteScenario();
        // No standby: v1's generation retires at the promote, and its collection is checked.
        await using var deployment = await RealAppDeployment.StartAsync(scenario, versions: ["v1", "v2"],
            reload: RealAppDeployment.DefaultReload + "\nkeepPrevious: false", ownProcess: true);
        using var browser = deployment.CreateBrowser();
        await scenario.ExerciseAsync(browser, scenario.Mount, await deployment.GenerationAsync());

        await deployment.ReloadAsync("the promote of v2", promote: "v2");
        await scenario.ExerciseAsync(browser, scenario.Mount, await deployment.GenerationAsync());

        var copies = MappedFiles(deployment.Process!.Id).Where(f => Path.GetFileName(f).StartsWith(Sqlite, StringComparison.Ordinal)).ToList();
        Assert.True(copies.Count == 1, $"one copy of {Sqlite} expected, mapped: {string.Join(", ", copies)}");
        Assert.Contains($"{Path.DirectorySeparatorChar}v1{Path.DirectorySeparatorChar}", copies[0], StringComparison.Ordinal);
        Assert.Empty(await deployment.RetiredAliveAsync(1));
    }

    /// <summary>The distinct files mapped into process <paramref name="pid"/> (the last column of /proc/PID/maps).</summary>
    private static IReadOnlyList<string> MappedFiles(int pid) =>
        [.. File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns.Length == 6 && columns[5].StartsWith('/'))
            .Select(columns => columns[5].Trim())
            .Distinct(StringComparer.Ordinal)];
}

using System.Reflection;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>The builds the suite runs, from the configuration the suite itself was built in.</summary>
public sealed record BenchPaths(string RepoRoot, string HostDll, string BareKestrelDll)
{
    public static BenchPaths Discover()
    {
        var metadata = typeof(BenchPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .ToDictionary(a => a.Key, a => a.Value ?? "", StringComparer.Ordinal);
        var root = Path.GetFullPath(metadata["RepoRoot"]);
        var configuration = metadata["Configuration"];
        var framework = metadata["TargetFramework"];
        return new BenchPaths(
            root,
            Path.Combine(root, "host", "PluginHost", "bin", configuration, framework, "PluginHost.dll"),
            Path.Combine(root, "tests", "PluginHost.Benchmarks.BareKestrel", "bin", configuration, framework, "PluginHost.Benchmarks.BareKestrel.dll"));
    }

    public string DefaultResultsFolder => Path.Combine(RepoRoot, "tests", "PluginHost.Benchmarks", "results");

    public string PluginBuild(string project) => Path.Combine(RepoRoot, "artifacts", "plugins", project);

    /// <summary>Fails with what to do when a build the suite needs is missing.</summary>
    public void Verify()
    {
        string[] files = [HostDll, BareKestrelDll, Path.Combine(PluginBuild("ReportingApi"), "ReportingApi.dll"),
            Path.Combine(PluginBuild("ReportingApi.Aggregation.V2"), "ReportingApi.Aggregation.dll"), Path.Combine(PluginBuild("TinyJson"), "TinyJson.dll"),
            Path.Combine(PluginBuild("RealStackApp"), "RealStackApp.dll"), Path.Combine(PluginBuild("LongLivedConnections"), "LongLivedConnections.dll"),
            Path.Combine(PluginBuild("LeaksOnProcessExit"), "LeaksOnProcessExit.dll"),
            Path.Combine(PluginBuild("WeatherService"), "WeatherService.dll")];
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            throw new BenchException($"Missing build output: {string.Join(", ", missing)}. Build first: dotnet build PluginHost.sln (or run the suite with dotnet run, which builds it).");
        }
    }
}

/// <summary>A benchmark cannot go on; the message says why and what to do.</summary>
public sealed class BenchException : Exception
{
    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public BenchException()
    {
    }
}

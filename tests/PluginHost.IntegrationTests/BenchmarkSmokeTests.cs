using PluginHost.Benchmarks;

namespace PluginHost.IntegrationTests;

/// <summary>Runs alone: the benchmark starts its own host processes and loads them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection
{
    public const string Name = "Benchmarks";
}

/// <summary>Issue 7: the benchmark suite's quick mode runs end to end, so the suite cannot rot. Figures are not asserted.</summary>
[Collection(BenchmarkCollection.Name)]
public sealed class BenchmarkSmokeTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "pluginhost-tests", $"bench-{Guid.NewGuid():N}.md");

    [Fact]
    public async Task RunAsync_QuickMode_WritesTableWithEverySection()
    {
        using var console = new StringWriter();
        var sut = BenchOptions.Parse(["--quick", "--output", _output]);

        var exitCode = await BenchmarkSuite.RunAsync(sut, TextWriter.Synchronized(console));

        Assert.True(exitCode == 0, console.ToString());
        var table = await File.ReadAllTextAsync(_output);
        Assert.Contains("| Section | Measure | Host | Baseline | Ratio | Target | Met |", table, StringComparison.Ordinal);
        string[] sections = ["1. Request overhead", "2. Reload latency", "3. Reloads under load", "4. Memory across reloads", "5. Many apps", "6. Logging cost", "7. Real-stack app", "8. HTTPS", "9. SignalR across deploys",
            "10. Unmodified ASP.NET Core app", "11. Instant rollback and prepared promote", "12. Process mode"];
        Assert.All(sections, section => Assert.Contains(section, table, StringComparison.Ordinal));
        Assert.Contains("quick mode: wrk not used", table, StringComparison.Ordinal);
        Assert.Contains("cores", table, StringComparison.Ordinal);
        Assert.DoesNotContain("Section failed", table, StringComparison.Ordinal);
        Assert.Contains(table, console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownSection_ThrowsNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--only", "reload,speed"]));

        Assert.Contains("speed", error.Message, StringComparison.Ordinal);
        Assert.Contains("overhead", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RealStackReloads_SetsSection7sReloadsAndCheckpoint_AndRefusesNonNumbers()
    {
        var sizes = BenchOptions.Parse(["--only", "realstack", "--realstack-reloads", "250"]).Sizes;
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--realstack-reloads", "many"]));

        Assert.Equal((250, 50), (sizes.RealStackReloads, sizes.RealStackCheckpoint));
        Assert.Equal(BenchSizes.Full.Reloads, sizes.Reloads);
        Assert.Contains("'many'", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_output);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PluginHost.Core.Releases;
using PluginHost.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PluginHost.IntegrationTests;

/// <summary>The stress test runs alone: six CLI processes at once would starve the timing of every other test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    public const string Name = "stress";
}

/// <summary>
/// Issue 12's acceptance test: six real 'pluginhost' processes promote, roll back, prune and publish in a loop against one
/// releases root while a reader resolves production. At the end production is a valid link, the history's last flip
/// is production, and every change a CLI reported is in the history exactly once. 60 s by default;
/// PLUGINHOST_STRESS_SECONDS=N runs it for N seconds (README, "Release workflow").
/// </summary>
[Collection(StressCollection.Name)]
public sealed partial class ReleaseStressTests(ITestOutputHelper output) : IDisposable
{
    private const string DurationVariable = "PLUGINHOST_STRESS_SECONDS";
    private const int Workers = 6;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly TempReleases _releases = new();

    private static TimeSpan Duration =>
        int.TryParse(Environment.GetEnvironmentVariable(DurationVariable), out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SixClis_PromotePrunePublishForAWhile_ProductionValidAndNoHistoryLost()
    {
        var environment = ArrangeRepository();
        foreach (var version in new[] { "s0", "s1", "s2", "s3" })
        {
            Directory.CreateDirectory(Path.Combine(_releases.ReleasesRoot, version, "WebApp"));
            File.WriteAllText(Path.Combine(_releases.ReleasesRoot, version, "WebApp", "WebApp.dll"), "stand-in");
        }

        Assert.Equal(0, (await RunCliAsync(environment, "promote", "s0", "--no-validate")).ExitCode);
        var expected = new ConcurrentDictionary<string, int>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var refusals = new ConcurrentDictionary<string, string>();
        var dangling = 0L;
        var reads = 0L;
        var deadline = DateTime.UtcNow + Duration;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref reads);
                if (!Directory.Exists(_releases.ProductionLink))
                {
                    Interlocked.Increment(ref dangling);
                }
            }
        });
        var started = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var round = 0; DateTime.UtcNow < deadline; round++)
            {
                string[] command = (worker % 3) switch
                {
                    0 => random.Next(4) == 0 ? ["rollback", "--no-validate"] : ["promote", PickVersion(random), "--no-validate"],
                    1 => ["publish", $"p{worker}-{round}"],
                    _ => ["prune", "--keep", "3"],
                };
                var (exitCode, text) = await RunCliAsync(environment, command);
                Record(command[0], exitCode, text, expected, outcomes);
                if (exitCode != 0)
                {
                    refusals.TryAdd(command[0], text.Trim());
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        await stop.CancelAsync();
        await reader;

        var store = new ReleaseStore(_releases.ReleasesRoot);
        var history = store.History.ReadAll();
        var flips = history.Where(e => e.Action is ReleaseActions.Promote or ReleaseActions.Rollback).ToList();
        var counted = history.GroupBy(e => e.Action).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{started.Elapsed.TotalSeconds:0} s, {Workers} CLIs: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"history: {string.Join(", ", counted.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}; production {store.Production}; " +
            $"reader: {reads} reads, {dangling} dangling");
        foreach (var (verb, text) in refusals)
        {
            output.WriteLine($"a refused {verb}: {text}");
        }

        Assert.True(Directory.Exists(_releases.ProductionLink), $"production ({store.Production}) does not resolve to a folder");
        Assert.Equal(store.Production, flips[^1].To);
        Assert.Equal(0, Interlocked.Read(ref dangling));
        Assert.Equal(0, store.History.SkippedLines);
        foreach (var action in new[] { ReleaseActions.Publish, ReleaseActions.Prune })
        {
            Assert.Equal(expected.GetValueOrDefault(action), counted.GetValueOrDefault(action));
        }

        // The first promote (s0) was before the loop; every flip a CLI reported is in the history, and nothing more.
        Assert.Equal(expected.GetValueOrDefault(ReleaseActions.Promote) + expected.GetValueOrDefault(ReleaseActions.Rollback) + 1, flips.Count);
        Assert.All(flips.Zip(flips.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
        Assert.True(outcomes.GetValueOrDefault("promote ok") > 0 && outcomes.GetValueOrDefault("prune ok") > 0 && outcomes.GetValueOrDefault("publish ok") > 0,
            "every kind of command succeeded at least once");
    }

    /// <summary>What each successful command must have left in the history, from what it printed.</summary>
    private static void Record(string verb, int exitCode, string text, ConcurrentDictionary<string, int> expected, ConcurrentDictionary<string, int> outcomes)
    {
        Assert.True(exitCode is 0 or 1, $"{verb} exited {exitCode}:\n{text}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        outcomes.AddOrUpdate($"{verb} {(exitCode == 0 ? "ok" : "refused")}", 1, (_, n) => n + 1);
        if (exitCode != 0)
        {
            return;
        }

        switch (verb)
        {
            case "promote" or "rollback" when text.Contains("production: ", StringComparison.Ordinal):
                expected.AddOrUpdate(verb, 1, (_, n) => n + 1);
                break;
            case "publish":
                expected.AddOrUpdate(ReleaseActions.Publish, 1, (_, n) => n + 1);
                break;
            case "prune" when DeletedLine().Match(text) is { Success: true } deleted:
                expected.AddOrUpdate(ReleaseActions.Prune, deleted.Groups[1].Value.Split(", ").Length, (_, n) => n + deleted.Groups[1].Value.Split(", ").Length);
                break;
        }
    }

    private string PickVersion(Random random)
    {
        var versions = Directory.EnumerateDirectories(_releases.ReleasesRoot).Select(Path.GetFileName)
            .Where(VersionName.IsValid).Where(v => v != "production").ToList();
        return versions.Count == 0 ? "s0" : versions[random.Next(versions.Count)]!;
    }

    private Task<(int ExitCode, string Output)> RunCliAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        ExternalCommand.RunAsync(ExternalCommand.Dotnet, [HostProcess.HostAssembly, .. arguments, "--config", _releases.ConfigPath], CommandTimeout,
            workingDirectory: _releases.Root, environment: environment);

    /// <summary>
    /// The deployment as 'publish' expects it (a repository with plugins/WebApp/WebApp.csproj), and a 'dotnet' (the CLIs'
    /// DOTNET_HOST_PATH) that stands in for 'dotnet publish' by writing WebApp.dll into the -o folder: the real build would
    /// take the whole minute on two cores. Everything else is the real CLI on the real root.
    /// </summary>
    private Dictionary<string, string> ArrangeRepository()
    {
        _releases.WriteConfig("""
            releases:
              root: releases
            apps:
              - name: WebApp
                mount: /
                assembly: WebApp/WebApp.dll
            """);
        File.WriteAllText(Path.Combine(_releases.Root, "PluginHost.sln"), "");
        Directory.CreateDirectory(Path.Combine(_releases.Root, "plugins", "WebApp"));
        File.WriteAllText(Path.Combine(_releases.Root, "plugins", "WebApp", "WebApp.csproj"), "<Project />");
        var bin = Path.Combine(_releases.Root, "fake-bin");
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "dotnet");
        File.WriteAllText(script, """
            #!/usr/bin/env bash
            # Stands in for 'dotnet publish <project> -c Release -o <folder> --nologo'.
            while [ $# -gt 0 ]; do
              if [ "$1" = "-o" ]; then out="$2"; fi
              shift
            done
            mkdir -p "$out" && echo stand-in > "$out/WebApp.dll"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new Dictionary<string, string> { ["DOTNET_HOST_PATH"] = script };
    }

    [GeneratedRegex("^deleted: (.+)$", RegexOptions.Multiline)]
    private static partial Regex DeletedLine();

    public void Dispose() => _releases.Dispose();
}

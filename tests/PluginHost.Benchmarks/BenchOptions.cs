namespace PluginHost.Benchmarks;

/// <summary>What to run and where to write the table.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/PluginHost.Benchmarks -- [options]
          --quick            a few seconds: small counts, an HttpClient load loop instead of wrk
          --only LIST        comma-separated sections: overhead, reload, load, memory, apps, logging, realstack, https, signalr,
                             aspnetcore, warm, process (default: all)
          --output FILE      where to write the markdown table (default: tests/PluginHost.Benchmarks/results/latest.md,
                             or quick.md with --quick)
          --realstack-reloads N
                             section 7's reloads (default 1,000, about 70 minutes); its memory checkpoint is at N / 5
        """;

    public static IReadOnlyList<string> AllSections { get; } = ["overhead", "reload", "load", "memory", "apps", "logging", "realstack", "https", "signalr", "aspnetcore", "warm", "process"];

    public bool Quick { get; init; }
    public IReadOnlyList<string> Sections { get; init; } = AllSections;
    public string? OutputPath { get; init; }
    public int? RealStackReloads { get; init; }

    public BenchSizes Sizes => (Quick ? BenchSizes.Quick : BenchSizes.Full) is var sizes && RealStackReloads is { } reloads
        ? sizes with { RealStackReloads = reloads, RealStackCheckpoint = Math.Max(1, reloads / 5) }
        : sizes;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--only" => options with { Sections = ParseSections(Value(args, ref i)) },
                "--output" => options with { OutputPath = Path.GetFullPath(Value(args, ref i)) },
                "--realstack-reloads" => options with { RealStackReloads = PositiveNumber(Value(args, ref i), "--realstack-reloads") },
                var other => throw new ArgumentException($"Unknown argument '{other}'."),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    private static int PositiveNumber(string value, string option) =>
        int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{option} needs a whole number above 0, not '{value}'.");

    private static List<string> ParseSections(string list)
    {
        var sections = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var unknown = sections.Except(AllSections).ToList();
        return unknown.Count == 0
            ? sections
            : throw new ArgumentException($"Unknown section(s) {string.Join(", ", unknown)}: choose from {string.Join(", ", AllSections)}.");
    }
}

/// <summary>How long and how often each section measures.</summary>
public sealed record BenchSizes
{
    /// <summary>The real run: about eleven minutes on a 2-core machine.</summary>
    public static BenchSizes Full { get; } = new();

    /// <summary>The smoke run: every section, tiny counts, no wrk.</summary>
    public static BenchSizes Quick { get; } = new()
    {
        UseWrk = false,
        PinCpus = false,
        Connections = 8,
        Warmup = TimeSpan.FromMilliseconds(300),
        ThroughputWarmup = TimeSpan.FromMilliseconds(300),
        OverheadRounds = 2,
        OverheadDuration = TimeSpan.FromMilliseconds(500),
        Reloads = 5,
        Restarts = 2,
        LoadDuration = TimeSpan.FromSeconds(2),
        LoadBaselineDuration = TimeSpan.FromSeconds(1),
        MemoryReloads = 10,
        MemoryCheckpoint = 5,
        AppCounts = [1, 10],
        AppRounds = 1,
        AppDuration = TimeSpan.FromMilliseconds(500),
        RealStackReloads = 2,
        RealStackCheckpoint = 1,
        RealStackRestarts = 1,
        RealStackWorkerDeploys = 2,
        RealStackOptimizedReloads = 2,
        ProfileReloads = 1,
        SignalRConnections = 50,
        SignalRDeploys = 2,
        ProcessLoadReloads = 2,
        ProcessReloads = 3,
        ProcessCheckpoint = 1,
    };

    /// <summary>wrk (real runs) or the in-process HttpClient loop (quick runs: no apt needed).</summary>
    public bool UseWrk { get; init; } = true;
    public int WrkThreads { get; init; } = 2;

    /// <summary>Throughput comparisons run each server on one CPU and wrk on another (when there are two and taskset exists).</summary>
    public bool PinCpus { get; init; } = true;
    public int Connections { get; init; } = 32;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Load before throughput is compared: on one pinned CPU the runtime's tier-1 recompilation of Kestrel, the host
    /// and the app (collectible code gets no ReadyToRun) goes on for some 20 s under load; until it settles the
    /// background JIT competes with the requests, so a short warm-up measures JIT time instead of request cost.
    /// </summary>
    public TimeSpan ThroughputWarmup { get; init; } = TimeSpan.FromSeconds(25);
    public int OverheadRounds { get; init; } = 8;
    public TimeSpan OverheadDuration { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>Sections 2 and 10: paced reloads, and baseline restarts spread over them.</summary>
    public int Reloads { get; init; } = 60;
    public int Restarts { get; init; } = 15;
    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan LoadBaselineDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ReloadEvery { get; init; } = TimeSpan.FromSeconds(1);
    public int MemoryReloads { get; init; } = 1000;
    public int MemoryCheckpoint { get; init; } = 200;
    public IReadOnlyList<int> AppCounts { get; init; } = [1, 10, 100];
    public int AppRounds { get; init; } = 5;
    public TimeSpan AppDuration { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Section 7: paced reloads of the real-stack app, and the one at which its memory is first read.</summary>
    public int RealStackReloads { get; init; } = 1000;
    public int RealStackCheckpoint { get; init; } = 200;
    public int RealStackRestarts { get; init; } = 15;

    /// <summary>Deploys of the real-stack app run in a worker process (isolation: process) beside the in-process series.</summary>
    public int RealStackWorkerDeploys { get; init; } = 30;

    /// <summary>Reloads of the real-stack app with apps[].jit: optimized (the default), against the series' jit: quick.</summary>
    public int RealStackOptimizedReloads { get; init; } = 15;

    /// <summary>Section 7's diagnostic run: reloads of a host recording the runtime's JIT and loader events.</summary>
    public int ProfileReloads { get; init; } = 10;

    /// <summary>Section 9: SignalR clients kept connected across deploys, opened this many at a time.</summary>
    public int SignalRConnections { get; init; } = 1000;
    public int SignalRConnectBatch { get; init; } = 50;
    public int SignalRDeploys { get; init; } = 10;

    /// <summary>Section 9: each client invokes about this often (jittered ±50 %).</summary>
    public TimeSpan SignalRInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Section 9: reload.drainTimeout of its host (reload.longLived stays reconnect, the default).</summary>
    public TimeSpan SignalRDrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Section 11: deploys of a process app under load (restarts spread over them: <see cref="Restarts"/>).</summary>
    public int ProcessLoadReloads { get; init; } = 60;

    /// <summary>Section 11: paced deploys of a process app for the host's memory, and the one at which it is first read.</summary>
    public int ProcessReloads { get; init; } = 200;
    public int ProcessCheckpoint { get; init; } = 20;

    public TimeSpan PollEvery { get; init; } = TimeSpan.FromMilliseconds(2);
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(10);
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace PluginHost.Benchmarks.Profiling;

/// <summary>One line of a <see cref="RuntimeEventRecorder"/> file.</summary>
/// <param name="Ticks">UTC wall-clock ticks of the event.</param>
/// <param name="Id">The method's or the assembly's runtime id.</param>
/// <param name="Flags">MethodFlags (bit 0: dynamic method; bits 7–9: optimization tier) or AssemblyFlags.</param>
/// <param name="Name">"Namespace.Type::Method", or the assembly's full name.</param>
public sealed record RuntimeEvent(long Ticks, int Thread, char Kind, ulong Id, ulong Flags, string Name)
{
    public const char JittingStarted = 'J';
    public const char MethodCompiled = 'L';
    public const char AssemblyLoaded = 'A';

    // The runtime's JitOptimizationTier in MethodFlags bits 7–9.
    private const int Optimized = 2;
    private const int OptimizedTier1 = 4;
    private const int QuickJittedInstrumented = 6;
    private const int OptimizedTier1Instrumented = 7;

    public bool IsDynamic => (Flags & 1) != 0;

    private int Tier => (int)((Flags >> 7) & 7);

    /// <summary>Recompiled by the runtime's tiering thread (tier 1, instrumented tiers): nobody waits for it.</summary>
    public bool IsBackground => Tier is OptimizedTier1 or QuickJittedInstrumented or OptimizedTier1Instrumented;

    /// <summary>
    /// Compiled fully optimised at its first call instead of quickly at tier 0: dynamic methods always are, and so is every
    /// method of a collectible context or instantiated over its types (the runtime does not tier them, dotnet/coreclr#16437).
    /// </summary>
    public bool IsFullyOptimized => Tier == Optimized;

    public static RuntimeEvent Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var f = line.Split('\t', 6);
        return new RuntimeEvent(long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), f[2][0],
            ulong.Parse(f[3], CultureInfo.InvariantCulture), ulong.Parse(f[4], CultureInfo.InvariantCulture), f.Length > 5 ? f[5] : "");
    }
}

/// <summary>What the JIT compiled in a span of time, on every thread of the process.</summary>
/// <param name="Ms">Compiling that the code waiting for it sat through (first compilations, dynamic methods included).</param>
/// <param name="DynamicMs">Of <paramref name="Ms"/>: dynamic methods (compiled expression trees, emitted delegates: always fully optimised).</param>
/// <param name="FullyOptimized">Of <paramref name="Methods"/>: not dynamic, yet compiled fully optimised (see <see cref="RuntimeEvent.IsFullyOptimized"/>).</param>
/// <param name="BackgroundMs">Tier-1 recompilations by the runtime's tiering thread, which nobody waits for.</param>
public sealed record JitTotals(double Ms, int Methods, double DynamicMs, int DynamicMethods, int FullyOptimized, double BackgroundMs)
{
    public static JitTotals None { get; } = new(0, 0, 0, 0, 0, 0);
}

/// <summary>A diagnostic run's JIT compilations and assembly loads, in time order, as <see cref="RuntimeEventRecorder"/> wrote them.</summary>
public sealed class RuntimeTrace
{
    private readonly List<RuntimeEvent> _assemblyLoads;
    private readonly List<(RuntimeEvent Started, RuntimeEvent Compiled)> _compilations;

    private RuntimeTrace(IEnumerable<RuntimeEvent> events)
    {
        var ordered = events.OrderBy(e => e.Ticks).ToList();
        _assemblyLoads = ordered.Where(e => e.Kind == RuntimeEvent.AssemblyLoaded).ToList();
        // A compilation runs on one thread from its start event to its method-load event: pair them per thread and method.
        var started = new Dictionary<(int Thread, ulong Id), RuntimeEvent>();
        _compilations = [];
        foreach (var e in ordered)
        {
            if (e.Kind == RuntimeEvent.JittingStarted)
            {
                started[(e.Thread, e.Id)] = e;
            }
            else if (e.Kind == RuntimeEvent.MethodCompiled && started.Remove((e.Thread, e.Id), out var start))
            {
                _compilations.Add((start, e));
            }
        }
    }

    public int Compilations => _compilations.Count;

    public static RuntimeTrace Read(string path)
    {
        // The host may still be writing: read what is there, share the file.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var events = new List<RuntimeEvent>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Split('\t').Length >= 5)
            {
                events.Add(RuntimeEvent.Parse(line));
            }
        }

        return new RuntimeTrace(events);
    }

    /// <summary>When the JIT started compiling a method whose "Namespace.Type::Method" matches <paramref name="method"/> for the first time in [from, to).</summary>
    public DateTime? FirstCompilationOf(Regex method, DateTime from, DateTime to) =>
        _compilations.Select(c => c.Started).FirstOrDefault(e => e.Ticks >= from.Ticks && e.Ticks < to.Ticks && method.IsMatch(e.Name)) is { } found
            ? new DateTime(found.Ticks, DateTimeKind.Utc)
            : null;

    /// <summary>The first assembly load in [from, to).</summary>
    public DateTime? FirstAssemblyLoad(DateTime from, DateTime to) =>
        _assemblyLoads.FirstOrDefault(e => e.Ticks >= from.Ticks && e.Ticks < to.Ticks) is { } found ? new DateTime(found.Ticks, DateTimeKind.Utc) : null;

    public int AssemblyLoads(DateTime from, DateTime to) => _assemblyLoads.Count(e => e.Ticks >= from.Ticks && e.Ticks < to.Ticks);

    /// <summary>Every compilation recorded.</summary>
    public JitTotals Jit() => Jit(DateTime.MinValue, DateTime.MaxValue);

    /// <summary>The compilations that started in [from, to).</summary>
    public JitTotals Jit(DateTime from, DateTime to)
    {
        var spans = _compilations.Where(c => c.Started.Ticks >= from.Ticks && c.Started.Ticks < to.Ticks)
            .Select(c => (Ms: TimeSpan.FromTicks(c.Compiled.Ticks - c.Started.Ticks).TotalMilliseconds, Event: c.Compiled))
            .ToList();
        var waited = spans.Where(s => !s.Event.IsBackground).ToList();
        var dynamic = waited.Where(s => s.Event.IsDynamic).ToList();
        return new JitTotals(waited.Sum(s => s.Ms), waited.Count, dynamic.Sum(s => s.Ms), dynamic.Count,
            waited.Count(s => !s.Event.IsDynamic && s.Event.IsFullyOptimized), spans.Where(s => s.Event.IsBackground).Sum(s => s.Ms));
    }
}

using System.Diagnostics.Tracing;
using System.Globalization;

namespace PluginHost.Benchmarks.Profiling;

/// <summary>
/// Inside the host process of a diagnostic run (see <see cref="StartupHook"/>): listens to the runtime's own events and writes
/// each JIT compilation and assembly load to a file, one tab-separated line each, as <see cref="RuntimeEvent"/> reads them
/// back. The runtime delivers the events on a thread of its own, with the time they happened.
/// </summary>
public sealed class RuntimeEventRecorder(StreamWriter writer) : EventListener
{
    /// <summary>The environment variable naming the file to write.</summary>
    public const string FileVariable = "PLUGINHOST_BENCH_RUNTIME_EVENTS";

    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long LoaderKeyword = 0x8;
    private const long JitKeyword = 0x10;

    private static RuntimeEventRecorder? s_recorder;

    // Assigned before EventListener's constructor runs: it reports the existing sources (and may deliver events) at once.
    private readonly StreamWriter _writer = writer;
    private readonly Lock _lock = new();

    /// <summary>The environment of a process that records its runtime events to <paramref name="file"/>.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentFor(string file) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_STARTUP_HOOKS"] = typeof(RuntimeEventRecorder).Assembly.Location,
        [FileVariable] = file,
    };

    /// <summary>Starts recording for the rest of the process's life when <see cref="FileVariable"/> names a file.</summary>
    public static void StartFromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(FileVariable) is { Length: > 0 } file)
        {
            s_recorder = new RuntimeEventRecorder(new StreamWriter(file, append: false) { AutoFlush = true });
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        lock (_lock)
        {
            _writer.Dispose();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == RuntimeProvider)
        {
            // Verbose: MethodJittingStarted is a verbose event.
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)(LoaderKeyword | JitKeyword));
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        var kind = eventData.EventName switch
        {
            "MethodJittingStarted_V1" => RuntimeEvent.JittingStarted,
            "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" => RuntimeEvent.MethodCompiled,
            "AssemblyLoad_V1" => RuntimeEvent.AssemblyLoaded,
            _ => (char)0,
        };
        if (kind == 0)
        {
            return;
        }

        var name = kind == RuntimeEvent.AssemblyLoaded
            ? Text(eventData, "FullyQualifiedAssemblyName")
            : Text(eventData, "MethodNamespace") + "::" + Text(eventData, "MethodName");
        var line = string.Join('\t',
            eventData.TimeStamp.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            eventData.OSThreadId.ToString(CultureInfo.InvariantCulture),
            kind.ToString(),
            Number(eventData, kind == RuntimeEvent.AssemblyLoaded ? "AssemblyID" : "MethodID").ToString(CultureInfo.InvariantCulture),
            Number(eventData, kind == RuntimeEvent.AssemblyLoaded ? "AssemblyFlags" : "MethodFlags").ToString(CultureInfo.InvariantCulture),
            name.Replace('\t', ' ').Replace('\n', ' '));
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    private static string Text(EventWrittenEventArgs e, string name) =>
        e.PayloadNames?.IndexOf(name) is >= 0 and var i ? Convert.ToString(e.Payload![i], CultureInfo.InvariantCulture) ?? "" : "";

    private static ulong Number(EventWrittenEventArgs e, string name) =>
        e.PayloadNames?.IndexOf(name) is >= 0 and var i && e.Payload![i] is { } value ? Convert.ToUInt64(value, CultureInfo.InvariantCulture) : 0;
}

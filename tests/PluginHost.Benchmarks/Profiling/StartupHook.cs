using PluginHost.Benchmarks.Profiling;

/// <summary>
/// Run by the runtime before Main in a process started with <c>DOTNET_STARTUP_HOOKS</c> naming this assembly: section 7's
/// diagnostic run starts the host so, and <see cref="RuntimeEventRecorder"/> writes the host's JIT and loader events to the
/// file named by <see cref="RuntimeEventRecorder.FileVariable"/>. Does nothing without that variable.
/// </summary>
#pragma warning disable CA1050 // The runtime finds the hook by this exact name, outside any namespace.
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize() => RuntimeEventRecorder.StartFromEnvironment();
}

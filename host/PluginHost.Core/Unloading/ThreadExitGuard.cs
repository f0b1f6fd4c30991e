using System.Globalization;

namespace PluginHost.Core.Unloading;

/// <summary>
/// Works around a .NET 10 runtime defect that corrupts a live generation when a thread exits. A thread that touches a
/// thread static of a collectible type (the app's own, or a framework generic over a type of the generation, e.g. the
/// per-thread buckets of <c>ArrayPool&lt;ExpressionTreeFuncletizer.State&gt;.Shared</c> that EF Core's query compiler
/// rents from, over the generation's own copy of EF Core) records a handle into that context's
/// loader allocator under the type's thread-static index. Unloading the context frees the index but leaves the handle
/// in every thread that used it; the index is then given to a type of a newer generation. When such a thread exits,
/// the runtime frees its handles through the types that now own the indices: the newer generation's allocator frees a
/// slot it never handed out (whatever object sat there, often the static-field storage of one of its types, loses its
/// only root), or an index beyond its table, which the next allocation then writes past the table's end. The host then
/// dies inside the runtime: a GC marking a corrupted object, an AccessViolation reading a static through a dangling
/// base, an invalid type object.
/// </summary>
/// <remarks>
/// The stopgap is that threads which run app code never exit: the thread pool's workers are kept alive
/// (<c>System.Threading.ThreadPool.ThreadsToKeepAlive = -1</c>, set in the host's runtimeconfig; the environment
/// variable <c>DOTNET_ThreadPool_ThreadsToKeepAlive</c> when the runtimeconfig does not say). The cost is that the
/// pool keeps its peak thread count. The host reports at start-up whether it is in effect.
/// </remarks>
public static class ThreadExitGuard
{
    public const string Setting = "System.Threading.ThreadPool.ThreadsToKeepAlive";
    public const string EnvironmentVariable = "DOTNET_ThreadPool_ThreadsToKeepAlive";

    /// <summary>Whether this process keeps its thread-pool workers alive, and the line the start-up log says about it.</summary>
    public static (bool KeptAlive, string Message) Check() =>
        Evaluate(AppContext.GetData(Setting), Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The runtime's own order: the runtimeconfig value first, the environment variable when it is absent.</summary>
    internal static (bool KeptAlive, string Message) Evaluate(object? configured, string? environment)
    {
        var value = configured is not null ? Convert.ToString(configured, CultureInfo.InvariantCulture) : environment;
        var keptAlive = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count == -1;
        return keptAlive
            ? (true, "thread exits: thread-pool workers are kept alive (ThreadsToKeepAlive = -1), so no thread that ran app code exits after its generation was unloaded")
            : (false, $"thread exits: thread-pool workers retire when idle (ThreadsToKeepAlive = {value ?? "unset"}): on .NET {Environment.Version} a worker that exits after a generation was unloaded can free a newer generation's objects and crash the process; set {Setting} to -1 in PluginHost.runtimeconfig.json (or {EnvironmentVariable}=-1)");
    }
}

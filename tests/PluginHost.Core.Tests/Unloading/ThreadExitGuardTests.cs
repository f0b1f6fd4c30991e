using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Tests.Unloading;

/// <summary>
/// The .NET 10 defect behind the crashes of hosts that reload the real-stack app: a thread that used a collectible
/// context's thread statics and exits after that context was unloaded frees a loader-allocator slot of a newer context
/// (the one whose type got the freed thread-static index), a slot it never touched. And the stopgap: the host's own
/// runtimeconfig keeps thread-pool workers alive, so threads that ran app code do not exit.
/// </summary>
[Collection(nameof(ThreadExitGuardTests))]
public sealed class ThreadExitGuardTests
{
    /// <summary>Thread statics of a type defined in this assembly: collectible when the assembly is loaded into a collectible context.</summary>
    public static class Holder<T>
    {
        [ThreadStatic]
        private static object? t_value;

        public static void Set(object value) => t_value = value;
    }

    /// <summary>What the contexts run (public: called by reflection in each context's copy of this assembly).</summary>
    public static class Touches
    {
        /// <summary>Touches the thread statics of many instantiations (each has its own thread-static index).</summary>
        public static void All(object value) => Set(HolderArguments, value);

        /// <summary>More thread-static indices than the old context freed, so indices freed earlier by other contexts do not hide its.</summary>
        public static void More(object value) => Set(HolderArguments.Select(t => t.MakeArrayType()), value);

        private static void Set(IEnumerable<Type> arguments, object value)
        {
            foreach (var type in arguments)
            {
                typeof(Holder<>).MakeGenericType(type).GetMethod(nameof(Holder<int>.Set))!.Invoke(null, [value]);
            }
        }
    }

    private static readonly Type[] HolderArguments =
    [
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(bool), typeof(string), typeof(object), typeof(DateTime),
        typeof(TimeSpan), typeof(Guid), typeof(Uri), typeof(Version), typeof(Exception), typeof(Type), typeof(Half), typeof(nint),
    ];

    [Theory]
    [InlineData(-1, null, true)]
    [InlineData("-1", null, true)]
    [InlineData(null, "-1", true)]
    [InlineData(0, "-1", false)]
    [InlineData(null, null, false)]
    [InlineData(null, "4", false)]
    public void Evaluate_KeptAliveOnlyForMinusOne_RuntimeconfigBeforeEnvironment(object? configured, string? environment, bool keptAlive)
    {
        var (actual, message) = ThreadExitGuard.Evaluate(configured, environment);

        Assert.Equal(keptAlive, actual);
        Assert.Contains("ThreadsToKeepAlive", message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostRuntimeconfig_KeepsThreadPoolWorkersAlive()
    {
        var path = Path.ChangeExtension(typeof(PluginHost.Program).Assembly.Location, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty(ThreadExitGuard.Setting, out var value), $"{path} does not set {ThreadExitGuard.Setting}");
        Assert.True(ThreadExitGuard.Evaluate(value.ToString(), null).KeptAlive, $"{ThreadExitGuard.Setting} is {value}");
    }

    [Fact]
    public void ThreadExit_AfterItsContextWasUnloaded_FreesASlotOfANewerContextItNeverTouched()
    {
        using var release = new ManualResetEventSlim();
        using var touched = new ManualResetEventSlim();
        var (held, old, touchOld) = OldContext();
        var work = new StrongBox<Action?>(touchOld);
        var thread = new Thread(() =>
        {
            Run(work);
            touched.Set();
            release.Wait();
        }) { IsBackground = true, Name = "outlives its context" };
        thread.Start();
        Assert.True(touched.Wait(TimeSpan.FromSeconds(30)), "the thread did not touch the old context's thread statics");
        work.Value = null;
        Unload(held);
        for (var attempt = 0; attempt < 50 && old.IsAlive; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(old.IsAlive, "the old context was not collected");
        // The runtime reuses a freed thread-static index only after a few relocating collections.
        for (var i = 0; i < 5; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        var (slots, used) = NewContextSlots();
        var freedBefore = Freed(slots(), used);
        release.Set();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the thread did not exit");
        var freedAfter = Freed(slots(), used);

        // Once a runtime update stops this, the thread-pool stopgap (ThreadExitGuard, the host's runtimeconfig) can go.
        Assert.True(freedAfter > freedBefore,
            $"on .NET {Environment.Version} a thread that exits after its context was unloaded no longer frees a newer context's slots: remove ThreadExitGuard and ThreadsToKeepAlive from the host");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(StrongBox<Action?> work) => work.Value!.Invoke();

    /// <summary>Unloads the context and lets go of the one strong reference the test held to it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Unload(StrongBox<AssemblyLoadContext?> held)
    {
        held.Value!.Unload();
        held.Value = null;
    }

    /// <summary>
    /// Loads this assembly into a collectible context; returns it held (a context nothing references may be collected before
    /// it is unloaded), a weak reference to it and the work for the thread (touch the context's thread statics, then let go
    /// of the method it called).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (StrongBox<AssemblyLoadContext?> Held, WeakReference Context, Action Touch) OldContext()
    {
        var context = new AssemblyLoadContext("thread-exit-old", isCollectible: true);
        var touch = new StrongBox<MethodInfo?>(TouchMethod(context));
        return (new StrongBox<AssemblyLoadContext?>(context), new WeakReference(context), () =>
        {
            touch.Value!.Invoke(null, [new object()]);
            touch.Value = null;
        });
    }

    private static MethodInfo TouchMethod(AssemblyLoadContext context) =>
        context.LoadFromAssemblyPath(typeof(ThreadExitGuardTests).Assembly.Location)
            .GetType(typeof(Touches).FullName!)!.GetMethod(nameof(Touches.All))!;

    /// <summary>
    /// A newer context whose thread statics the test thread touches (taking the old context's freed indices, and more),
    /// and a way to read its loader allocator's slots: the managed LoaderAllocator behind its types (RuntimeType.m_keepalive).
    /// The context is never unloaded: one of its objects may have lost its root.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Func<object?[]> Slots, int Used) NewContextSlots()
    {
        var context = new AssemblyLoadContext("thread-exit-new", isCollectible: true);
        var touch = TouchMethod(context);
        touch.Invoke(null, [new object()]);
        touch.DeclaringType!.GetMethod(nameof(Touches.More))!.Invoke(null, [new object()]);
        // More slots than the old context ever had: the stale handle's index lands inside this table.
        _ = touch.DeclaringType!.Assembly.GetTypes();
        var allocator = typeof(Type).Assembly.GetType("System.RuntimeType")!
            .GetField("m_keepalive", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(touch.DeclaringType)!;
        var slotsField = allocator.GetType().GetField("m_slots", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var used = (int)allocator.GetType().GetField("m_slotsUsed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(allocator)!;
        Contexts.Add(context);
        return (() => (object?[])slotsField.GetValue(allocator)!, used);
    }

    /// <summary>Newer contexts of this test, kept for the process's lifetime.</summary>
    private static readonly List<AssemblyLoadContext> Contexts = [];

    private static int Freed(object?[] slots, int used) => slots.Take(used).Count(s => s is null);
}

/// <summary>The defect test frees a slot of whichever context took the old one's thread-static indices: nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(ThreadExitGuardTests), DisableParallelization = true)]
public sealed class ThreadExitGuardCollection;

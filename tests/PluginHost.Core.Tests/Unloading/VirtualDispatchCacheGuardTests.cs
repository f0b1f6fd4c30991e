using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Tests.Unloading;

/// <summary>
/// The guard against dotnet/runtime#132562: after contexts whose code made generic virtual calls are unloaded (each
/// unload flushes the runtime's dispatch cache into its sentinel table), no entry the cache would accept may sit in the
/// sentinel. Without the guard the sentinel keeps the calls made right after a flush for ever, and a later generation's
/// type at a reused address would find the freed code of an unloaded one.
/// </summary>
public sealed class VirtualDispatchCacheGuardTests
{
    public interface IVisitor
    {
        string Visit<T>(T value);
    }

    public sealed class Upper : IVisitor
    {
        public string Visit<T>(T value) => $"{value}".ToUpperInvariant();
    }

    public sealed class Lower : IVisitor
    {
        public string Visit<T>(T value) => $"{value}".ToLowerInvariant();
    }

    /// <summary>Generic virtual calls through the interface: resolved by the runtime and stored in its dispatch cache.</summary>
    public static string VisitAll(object visitor)
    {
        var typed = (IVisitor)visitor;
        return typed.Visit(1) + typed.Visit("Text") + typed.Visit(2.5) + typed.Visit(visitor);
    }

    [Fact]
    public void Unloads_WithTheGuard_TheDispatchCacheSentinelNeverHoldsAnEntry()
    {
        // Null once a runtime update fixes the defect (or moves the internals): then the guard and this test can go.
        var sentinel = VirtualDispatchCacheGuard.FindSentinel();
        Assert.True(sentinel is not null, $"the dispatch cache defect is not found on .NET {Environment.Version}: remove VirtualDispatchCacheGuard");

        VirtualDispatchCacheGuard.EnsureApplied();
        for (var cycle = 0; cycle < 5; cycle++)
        {
            var context = CallFromCollectibleContextAndUnload();
            for (var attempt = 0; attempt < 20 && context.IsAlive; attempt++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.False(context.IsAlive, "the test's collectible context was not collected");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            VisitAll(new Upper());
            VisitAll(new Lower());
            Assert.Equal(0, VirtualDispatchCacheGuard.AcceptableEntries(sentinel!));
        }
    }

    /// <summary>Loads this test assembly into a collectible context, makes generic virtual calls from there, unloads it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CallFromCollectibleContextAndUnload()
    {
        var context = new AssemblyLoadContext("dispatch-cache-guard", isCollectible: true);
        var assembly = context.LoadFromAssemblyPath(typeof(VirtualDispatchCacheGuardTests).Assembly.Location);
        var tests = assembly.GetType(typeof(VirtualDispatchCacheGuardTests).FullName!)!;
        foreach (var visitor in new[] { nameof(Upper), nameof(Lower) })
        {
            var instance = Activator.CreateInstance(tests.GetNestedType(visitor)!)!;
            Assert.NotEmpty((string)tests.GetMethod(nameof(VisitAll))!.Invoke(null, [instance])!);
        }

        context.Unload();
        return new WeakReference(context);
    }
}

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins.Loader;
using PluginHost.Abstractions;
using PluginHost.Core.Configuration;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Loading;

/// <summary>One app's code, loaded into its own collectible context.</summary>
public sealed class LoadedPlugin(AssemblyLoadContext context, Assembly main, IPluginApp? app, AppKind kind, int assemblyCount) : IDisposable
{
    private AssemblyLoadContext? _context = context;

    /// <summary>The plugin's <see cref="IPluginApp"/>; null for an unmodified ASP.NET Core app.</summary>
    public IPluginApp? App { get; private set; } = app;

    public AppKind Kind { get; } = kind;

    /// <summary>The app's main assembly (its name is the app's ApplicationName, as in an ordinary ASP.NET Core app).</summary>
    public Assembly MainAssembly { get; private set; } = main;

    /// <summary>Weak reference to the app's AssemblyLoadContext: how the host proves the context was collected.</summary>
    public WeakReference Context { get; } = new(context);

    /// <summary>The context can unload (false in a worker process).</summary>
    public bool IsCollectible { get; } = context.IsCollectible;

    /// <summary>The live context, until <see cref="Dispose"/>.</summary>
    public AssemblyLoadContext LoadContext => _context ?? throw new ObjectDisposedException(nameof(LoadedPlugin));

    /// <summary>How many assemblies of the app's private dependency graph were loaded (app assembly included).</summary>
    public int AssemblyCount { get; } = assemblyCount;

    /// <summary>Starts unloading the context. Collection happens once nothing references it any more.</summary>
    public void Dispose()
    {
        App = null!;
        MainAssembly = null!;
        if (Interlocked.Exchange(ref _context, null) is { IsCollectible: true } collectible)
        {
            collectible.Unload();
        }
    }
}

/// <summary>
/// Loads an app assembly and its whole private dependency graph through McMaster.NETCore.Plugins' context builder
/// into a new collectible context. The contract and every assembly of the shared frameworks always come from the host.
/// </summary>
public static class PluginAssemblyLoader
{
    /// <summary>
    /// Managed assemblies are read into memory: the release folder's files may then be replaced on disk (same-folder
    /// redeploy) without touching the running generation. Native libraries are loaded from the release folder itself:
    /// the runtime never unloads them, and a per-generation shadow copy would stay mapped for ever, one per reload; a
    /// library whose bytes were loaded before from another folder is loaded from that path (<see cref="SharedNativeLibraries"/>).
    /// </summary>
    /// <param name="collectible">False for a worker process, which exits instead of unloading (see <see cref="AppConfig.Collectible"/>).</param>
    /// <param name="quickJit">Mark the app's own assemblies as not to be optimised by the JIT (see <see cref="QuickJitImage"/>).</param>
    public static LoadedPlugin Load(string appName, string assemblyPath, AppKind? kind = null, bool collectible = true, bool quickJit = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(appName);
        if (!File.Exists(assemblyPath))
        {
            // The file is named by config.yaml (apps[].assembly): a typo there is not the release's fault, so the
            // release is not marked bad for it.
            throw new PluginLoadException(appName, assemblyPath, "assembly not found (check apps[].assembly in config.yaml and the release's contents)")
            {
                BlamesRelease = false,
            };
        }

        var (resolvedKind, problem) = ResolveKind(appName, assemblyPath, kind);
        if (problem is not null)
        {
            throw new PluginLoadException(appName, assemblyPath, problem);
        }

        // Before the first collectible context exists, so no generation can ever meet a stale dispatch-cache entry.
        VirtualDispatchCacheGuard.EnsureApplied();
        var context = CreateContext(assemblyPath, collectible);
        var weak = new WeakReference(context);
        try
        {
            var images = new AppImages(assemblyPath, quickJit);
            var main = images.LoadMain(context);
            images.LoadPrivate(context);
            LoadDependencyGraph(appName, assemblyPath, main, context);
            var count = context.Assemblies.Count();
            SharedNativeLibraries.Attach(context, assemblyPath);
            IPluginApp? app = null;
            if (resolvedKind == AppKind.Plugin)
            {
                using (context.EnterContextualReflection())
                {
                    app = CreateApp(appName, assemblyPath, main);
                }
            }

            return new LoadedPlugin(context, main, app, resolvedKind, count);
        }
        catch (Exception ex)
        {
            if (collectible)
            {
                context.Unload();
            }

            throw PluginLoadException.Abandoning(ex, appName, assemblyPath, weak);
        }
    }

    private static AssemblyLoadContext CreateContext(string assemblyPath, bool collectible)
    {
        // Lazy: shared names are resolved in the default context when first asked for, not all loaded up front.
        var builder = new AssemblyLoadContextBuilder()
            .SetMainAssemblyPath(assemblyPath)
            .PreloadAssembliesIntoMemory()
            .IsLazyLoaded(true);
        if (collectible)
        {
            builder.EnableUnloading();
        }

        foreach (var name in SharedAssemblies.Names)
        {
            builder.PreferDefaultLoadContextAssembly(name);
        }

        return builder.Build();
    }

    private static (AppKind Kind, string? Problem) ResolveKind(string appName, string assemblyPath, AppKind? kind)
    {
        try
        {
            return ContractCompatibility.Resolve(assemblyPath, kind);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new PluginLoadException(appName, assemblyPath, $"not a readable .NET assembly: {ex.GetType().Name}: {FirstLine(ex.Message)}");
        }
    }

    /// <summary>
    /// Loads every private dependency now rather than on first use, so a missing file fails the load
    /// (and not a request later) and the whole graph is known to be of this generation.
    /// </summary>
    private static void LoadDependencyGraph(string appName, string assemblyPath, Assembly main, AssemblyLoadContext context)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { main.GetName().Name! };
        var pending = new Stack<Assembly>([main]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Add(reference.Name!))
                {
                    continue;
                }

                var dependency = LoadReference(appName, assemblyPath, assembly, reference, context);
                if (AssemblyLoadContext.GetLoadContext(dependency) == context)
                {
                    pending.Push(dependency);
                }
            }
        }
    }

    private static Assembly LoadReference(string appName, string assemblyPath, Assembly from, AssemblyName reference, AssemblyLoadContext context)
    {
        try
        {
            return context.LoadFromAssemblyName(reference);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            var file = Path.Combine(Path.GetDirectoryName(assemblyPath)!, reference.Name + ".dll");
            throw new PluginLoadException(appName, file,
                $"dependency {reference.Name} {reference.Version} of {from.GetName().Name} cannot be loaded: {ex.GetType().Name}: {FirstLine(ex.Message)}");
        }
    }

    private static IPluginApp CreateApp(string appName, string assemblyPath, Assembly main)
    {
        var candidates = ExportedTypes(appName, assemblyPath, main)
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPluginApp).IsAssignableFrom(t))
            .ToList();
        if (candidates.Count != 1)
        {
            var cause = candidates.Count == 0
                ? $"no public class implements {nameof(IPluginApp)}"
                : $"{candidates.Count} public classes implement {nameof(IPluginApp)} ({string.Join(", ", candidates.Select(t => t.FullName))}); keep exactly one";
            throw new PluginLoadException(appName, assemblyPath, cause);
        }

        return Instantiate(appName, assemblyPath, candidates[0]);
    }

    private static Type[] ExportedTypes(string appName, string assemblyPath, Assembly main)
    {
        try
        {
            return main.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or TypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw new PluginLoadException(appName, assemblyPath, $"types cannot be loaded: {ex.GetType().Name}: {FirstLine(ex.Message)}");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IPluginApp Instantiate(string appName, string assemblyPath, Type type)
    {
        try
        {
            return (IPluginApp)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new PluginLoadException(appName, assemblyPath,
                $"constructor of {type.FullName} threw {ex.InnerException.GetType().Name}: {FirstLine(ex.InnerException.Message)}");
        }
        catch (MissingMethodException)
        {
            throw new PluginLoadException(appName, assemblyPath, $"{type.FullName} needs a public parameterless constructor");
        }
    }

    internal static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}

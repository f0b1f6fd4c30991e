using System.Collections;
using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.Loader;

namespace PluginHost.Core.Generations;

/// <summary>
/// Empties framework caches that otherwise keep every retired generation alive (see shared/UNLOADING.md):
/// System.Text.Json's reflection metadata caches (cleared through their own hot-reload handler) and
/// ASP.NET Core's static ParameterBindingMethodCache, which has no such handler. The second reaches into
/// framework internals: it lives here alone, and a test with a real plugin using typed handler parameters
/// fails loudly if a framework update moves it.
/// </summary>
public static class FrameworkCacheScrubber
{
    private static readonly string[] HandlerAssemblies = ["System.Text.Json", "Microsoft.AspNetCore.Http.Extensions", "Microsoft.AspNetCore.Routing"];
    private static readonly Lazy<MethodInfo[]> ClearCacheMethods = new(FindClearCacheMethods);
    private static readonly Lazy<IDictionary[]> ParameterBindingCaches = new(FindParameterBindingCaches);

    /// <summary>True when the ParameterBindingMethodCache was found: tests assert it, so a framework change is noticed.</summary>
    public static bool FoundParameterBindingCache => ParameterBindingCaches.Value.Length > 0;

    public static int HotReloadHandlerCount => ClearCacheMethods.Value.Length;

    /// <summary>Finds the caches now (a reflection scan of framework types), so the first reload does not pay for it.</summary>
    public static void Prepare() => _ = ClearCacheMethods.Value.Length + ParameterBindingCaches.Value.Length;

    public static void Scrub()
    {
        foreach (var clear in ClearCacheMethods.Value)
        {
            clear.Invoke(null, [null]);
        }

        foreach (var cache in ParameterBindingCaches.Value)
        {
            RemoveCollectibleKeys(cache);
        }
    }

    private static void RemoveCollectibleKeys(IDictionary cache)
    {
        foreach (var key in cache.Keys.Cast<object>().ToList())
        {
            if (key is Type { IsCollectible: true } or ParameterInfo { Member.Module.Assembly.IsCollectible: true })
            {
                cache.Remove(key);
            }
        }
    }

    private static MethodInfo[] FindClearCacheMethods() =>
        HandlerAssemblies
            .Select(LoadFramework)
            .OfType<Assembly>()
            .SelectMany(a => a.GetCustomAttributes<MetadataUpdateHandlerAttribute>())
            .Select(a => a.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]))
            .OfType<MethodInfo>()
            .ToArray();

    private static IDictionary[] FindParameterBindingCaches()
    {
        var assembly = LoadFramework("Microsoft.AspNetCore.Http.Extensions");
        var cacheType = assembly?.GetType("Microsoft.AspNetCore.Http.ParameterBindingMethodCache");
        if (assembly is null || cacheType is null)
        {
            return [];
        }

        var instances = assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == cacheType && !f.DeclaringType!.ContainsGenericParameters)
            .Select(f => f.GetValue(null))
            .OfType<object>();
        return instances
            .SelectMany(instance => cacheType.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
                .Select(f => f.GetValue(instance))
                .OfType<IDictionary>())
            .ToArray();
    }

    private static Assembly? LoadFramework(string name)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}

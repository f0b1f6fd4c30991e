using System.Reflection;
using PluginHost.Abstractions;

namespace PluginHost.Core.Loading;

/// <summary>
/// The assemblies every app gets from the host, never from its own folder: the contract, and every assembly of the
/// shared frameworks the host runs on (Microsoft.NETCore.App, Microsoft.AspNetCore.App). A plugin that ships its own
/// copy of, say, Microsoft.Extensions.Options would otherwise get types the host's container does not know.
/// </summary>
internal static class SharedAssemblies
{
    private static readonly Lazy<IReadOnlyList<AssemblyName>> All = new(Find);

    private static readonly HashSet<string> FrameworkFolders = new[] { typeof(object), typeof(Microsoft.AspNetCore.Http.HttpContext) }
        .Select(t => Path.GetDirectoryName(t.Assembly.Location)!)
        .ToHashSet(StringComparer.Ordinal);

    private static readonly Lazy<HashSet<string>> AllNames = new(() => All.Value.Select(n => n.Name!).ToHashSet(StringComparer.OrdinalIgnoreCase));

    public static IReadOnlyList<AssemblyName> Names => All.Value;

    /// <summary>An assembly name every app gets from the host.</summary>
    public static bool IsShared(string name) => AllNames.Value.Contains(name);

    /// <summary>An assembly of the shared frameworks the host runs on (loaded from their folders).</summary>
    public static bool IsFramework(Assembly assembly) =>
        !assembly.IsDynamic && !assembly.IsCollectible && assembly.Location.Length > 0
        && FrameworkFolders.Contains(Path.GetDirectoryName(assembly.Location)!);

    private static IReadOnlyList<AssemblyName> Find()
    {
        var frameworkFolders = FrameworkFolders;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return trusted
            .Where(path => frameworkFolders.Contains(Path.GetDirectoryName(path)!))
            .Select(Path.GetFileNameWithoutExtension)
            .Append(typeof(IPluginApp).Assembly.GetName().Name)
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name => new AssemblyName(name))
            .ToList();
    }
}

using System.Reflection;
using System.Runtime.Loader;

namespace PluginHost.Core.Loading;

/// <summary>
/// Reads an app's managed assemblies into memory for its context. With quick JIT it marks each one
/// (<see cref="QuickJitImage"/>) and loads the app's private dependencies itself, before McMaster.NETCore.Plugins is
/// asked for them: the files it would choose, by name from the app's folder, for every assembly the host does not
/// share and the release has no runtime-specific copy of (those, and anything else, are left to it). The folder's
/// other assemblies are loaded too, marked, since libraries load some by name at run time (Microsoft.Data.Sqlite its
/// SQLitePCLRaw bundle), which would otherwise come unmarked through McMaster.
/// </summary>
internal sealed class AppImages(string assemblyPath, bool quickJit)
{
    private readonly string _folder = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
    private HashSet<string>? _runtimeSpecific;

    /// <summary>By path: the file named in config.yaml is the app, whatever the assembly inside calls itself.</summary>
    public Assembly LoadMain(AssemblyLoadContext context) => Load(context, assemblyPath, expectedName: null)!;

    /// <summary>The private dependency <paramref name="reference"/>, marked and loaded; null when not quick or not private.</summary>
    public Assembly? TryLoadPrivate(AssemblyLoadContext context, AssemblyName reference)
    {
        if (!quickJit || reference.Name is not { } name || SharedAssemblies.IsShared(name) || RuntimeSpecific.Contains(name))
        {
            return null;
        }

        var path = Path.Combine(_folder, name + ".dll");
        return File.Exists(path) ? Load(context, path, name) : null;
    }

    /// <summary>With quick JIT, every other private assembly of the app's folder, marked; how many were loaded.</summary>
    public int LoadRestOfFolder(AssemblyLoadContext context)
    {
        if (!quickJit)
        {
            return 0;
        }

        var loaded = context.Assemblies.Select(a => a.GetName().Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        foreach (var path in Directory.EnumerateFiles(_folder, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!loaded.Contains(name) && !SharedAssemblies.IsShared(name) && !RuntimeSpecific.Contains(name) && TryLoadExtra(context, path, name))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A file that is not an assembly (a native library named .dll) or will not load is left alone, as McMaster would.</summary>
    private bool TryLoadExtra(AssemblyLoadContext context, string path, string name)
    {
        try
        {
            return Load(context, path, name) is not null;
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            return false;
        }
    }

    /// <summary>Names under runtimes/&lt;rid&gt;/lib/: McMaster picks the copy for this machine's runtime identifier.</summary>
    private HashSet<string> RuntimeSpecific => _runtimeSpecific ??= FindRuntimeSpecific(_folder);

    private Assembly? Load(AssemblyLoadContext context, string path, string? expectedName)
    {
        var image = File.ReadAllBytes(path);
        if (quickJit && QuickJitImage.TryMark(image).AssemblyName is var name && expectedName is not null
            && !string.Equals(name, expectedName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        using var stream = Exposed(image);
        var symbolsPath = Path.ChangeExtension(path, ".pdb");
        if (!File.Exists(symbolsPath))
        {
            return context.LoadFromStream(stream);
        }

        using var symbols = Exposed(File.ReadAllBytes(symbolsPath));
        return context.LoadFromStream(stream, symbols);
    }

    /// <summary>A stream whose buffer LoadFromStream may use as it is: a hidden one it copies first (half of a load's time).</summary>
    private static MemoryStream Exposed(byte[] bytes) => new(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);

    private static HashSet<string> FindRuntimeSpecific(string folder)
    {
        var runtimes = Path.Combine(folder, "runtimes");
        return Directory.Exists(runtimes)
            ? Directory.EnumerateFiles(runtimes, "*.dll", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).OfType<string>()
                .ToHashSet(StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }
}

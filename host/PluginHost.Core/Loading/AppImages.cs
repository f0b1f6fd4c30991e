using System.Reflection;
using System.Runtime.Loader;

namespace PluginHost.Core.Loading;

/// <summary>
/// Reads an app's managed assemblies into memory for its context. With quick JIT it marks each one
/// (<see cref="QuickJitImage"/>) and loads every private assembly of the app's folder itself, up front: every assembly
/// the host does not share and the release has no runtime-specific copy of (McMaster.NETCore.Plugins picks those for
/// this machine). A load by name, the dependency walk's or a library's at run time (Microsoft.Data.Sqlite loads its
/// SQLitePCLRaw bundle so), then finds the marked assembly in the context before McMaster is asked.
/// </summary>
internal sealed class AppImages(string assemblyPath, bool quickJit)
{
    private readonly string _mainPath = Path.GetFullPath(assemblyPath);

    /// <summary>By path: the file named in config.yaml is the app, whatever the assembly inside calls itself.</summary>
    public Assembly LoadMain(AssemblyLoadContext context) => Load(context, _mainPath, expectedName: null)!;

    /// <summary>With quick JIT, the app folder's other private assemblies, marked; without it, nothing.</summary>
    public void LoadPrivate(AssemblyLoadContext context)
    {
        if (!quickJit)
        {
            return;
        }

        var folder = Path.GetDirectoryName(_mainPath)!;
        var runtimeSpecific = FindRuntimeSpecific(folder);
        foreach (var path in Directory.EnumerateFiles(folder, "*.dll").Where(p => p != _mainPath))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!SharedAssemblies.IsShared(name) && !runtimeSpecific.Contains(name))
            {
                TryLoad(context, path, name);
            }
        }
    }

    /// <summary>A file that is not an assembly (a native library named .dll) or will not load is left alone, as McMaster would.</summary>
    private void TryLoad(AssemblyLoadContext context, string path, string name)
    {
        try
        {
            Load(context, path, name);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
        }
    }

    /// <summary>Null when the file's assembly is not called <paramref name="expectedName"/>: a load by that name would not find it.</summary>
    private Assembly? Load(AssemblyLoadContext context, string path, string? expectedName)
    {
        var image = File.ReadAllBytes(path);
        var name = quickJit ? QuickJitImage.TryMark(image).AssemblyName : expectedName;
        if (!string.Equals(name, expectedName ?? name, StringComparison.OrdinalIgnoreCase))
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

    /// <summary>Names under runtimes/&lt;rid&gt;/lib/.</summary>
    private static HashSet<string> FindRuntimeSpecific(string folder)
    {
        var runtimes = Path.Combine(folder, "runtimes");
        return Directory.Exists(runtimes)
            ? Directory.EnumerateFiles(runtimes, "*.dll", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).OfType<string>()
                .ToHashSet(StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }
}

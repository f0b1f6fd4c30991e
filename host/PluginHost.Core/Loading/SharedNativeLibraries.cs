using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace PluginHost.Core.Loading;

/// <summary>
/// Loads every copy of one native library (same bytes) from one path per process. The runtime loads a native library once
/// per path and never unloads it, so without this two release folders holding the same libe_sqlite3 run two SQLite
/// engines in one host. Each engine keeps its own table of open files and locks, while POSIX locks belong to the
/// process, so the two do not see each other's locks: an old and a new generation writing one database then fail with
/// "disk I/O error" or corrupt it (sqlite.org/howtocorrupt.html, "multiple copies of SQLite linked into the same
/// application"). One path also keeps one copy mapped however many release folders were served.
/// </summary>
/// <remarks>
/// The hook is a per-assembly <see cref="NativeLibrary.SetDllImportResolver"/>, which the runtime asks before the load
/// context: McMaster's context resolves native libraries to the release folder itself and has no hook of its own. An
/// assembly that sets its own resolver (it calls SetDllImportResolver) is left alone, as setting a second one throws.
/// </remarks>
internal static class SharedNativeLibraries
{
    private static readonly ConcurrentDictionary<string, string> FirstPathByContent = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<FileStamp, string> ContentByFile = new();
    private static readonly ConcurrentDictionary<FileStamp, bool> NeedsResolverByFile = new();

    /// <summary>The resolver of each app's load context, for the assemblies it loads later.</summary>
    private static readonly ConditionalWeakTable<AssemblyLoadContext, Resolver> Resolvers = new();

    static SharedNativeLibraries() => AppDomain.CurrentDomain.AssemblyLoad += (_, loaded) => OnAssemblyLoad(loaded.LoadedAssembly);

    /// <summary>
    /// Sets the shared resolver on each assembly of <paramref name="context"/> that calls native code, now and whenever it
    /// loads another (libraries often load their native bindings by name at first use, as Microsoft.Data.Sqlite does).
    /// </summary>
    public static void Attach(AssemblyLoadContext context, string mainAssemblyPath)
    {
        AssemblyDependencyResolver dependencies;
        try
        {
            dependencies = new AssemblyDependencyResolver(mainAssemblyPath);
        }
        catch (InvalidOperationException)
        {
            // No readable deps.json: the load context resolves native libraries the way it always does.
            return;
        }

        var resolver = new Resolver(dependencies, mainAssemblyPath);
        Resolvers.AddOrUpdate(context, resolver);
        foreach (var assembly in context.Assemblies)
        {
            resolver.AttachTo(assembly);
        }
    }

    private static void OnAssemblyLoad(Assembly assembly)
    {
        if (AssemblyLoadContext.GetLoadContext(assembly) is { IsCollectible: true } context && Resolvers.TryGetValue(context, out var resolver))
        {
            resolver.AttachTo(assembly);
        }
    }

    /// <summary>Loads the library at <paramref name="path"/> from the first path this process saw with its bytes.</summary>
    internal static IntPtr Load(string path)
    {
        var full = Path.GetFullPath(path);
        var content = ContentByFile.GetOrAdd(FileStamp.Of(full), static stamp => Hash(stamp.Path));
        var first = FirstPathByContent.GetOrAdd(content, full);
        if (first == full)
        {
            return NativeLibrary.Load(full);
        }

        if (NativeLibrary.TryLoad(first, out var shared))
        {
            return shared;
        }

        // The first path never loaded (its file went before it was ever opened): this one takes its place.
        FirstPathByContent.TryUpdate(content, full, first);
        return NativeLibrary.Load(full);
    }

    /// <summary>Whether the assembly imports native functions (a ModuleRef) and does not resolve them itself.</summary>
    private static bool NeedsResolver(string file)
    {
        try
        {
            return NeedsResolverByFile.GetOrAdd(FileStamp.Of(file), static stamp => ReadNeedsResolver(stamp.Path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            return false;
        }
    }

    private static bool ReadNeedsResolver(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.GetTableRowCount(TableIndex.ModuleRef) > 0
            && !metadata.MemberReferences.Any(r => metadata.StringComparer.Equals(metadata.GetMemberReference(r).Name, nameof(NativeLibrary.SetDllImportResolver)));
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private sealed class Resolver(AssemblyDependencyResolver dependencies, string mainAssemblyPath)
    {
        public void AttachTo(Assembly assembly)
        {
            var name = assembly.GetName();
            var file = name.Name == Path.GetFileNameWithoutExtension(mainAssemblyPath) ? mainAssemblyPath : dependencies.ResolveAssemblyToPath(name);
            if (file is null || !NeedsResolver(file))
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // It has one already: ours, set as it loaded while Attach went through the context's assemblies.
            }
        }

        private IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            // Not one of the release's own libraries (libc, the runtime's): left to the load context and the system.
            if (dependencies.ResolveUnmanagedDllToPath(name) is not { } path || !File.Exists(path))
            {
                return IntPtr.Zero;
            }

            return Load(path);
        }
    }

    private readonly record struct FileStamp(string Path, long Length, DateTime Modified)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return new FileStamp(path, info.Length, info.LastWriteTimeUtc);
        }
    }
}

using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace PluginHost.Core.StaticFiles;

/// <summary>
/// The files of an app's <c>static</c> folder that may be served: nothing outside the folder (no "..", no absolute
/// or backslash paths, no symbolic link whose real target lies outside), no dot files, and never the release's code or
/// configuration (assemblies, symbols, .deps.json, .runtimeconfig.json, config files). No directory listings, no watching.
/// </summary>
public sealed class ReleaseFileProvider : IFileProvider, IDisposable
{
    private static readonly string[] BlockedExtensions =
        [".dll", ".exe", ".pdb", ".so", ".dylib", ".config", ".yaml", ".yml", ".ini", ".env", ".key", ".pem", ".pfx"];

    private static readonly string[] BlockedSuffixes = [".deps.json", ".runtimeconfig.json", ".runtimeconfig.dev.json"];

    private readonly PhysicalFileProvider _inner;

    /// <param name="root">The static folder (absolute).</param>
    public ReleaseFileProvider(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        RealRoot = RealPath.Resolve(root) ?? throw new DirectoryNotFoundException($"{root}: symbolic links loop");
        if (!Directory.Exists(RealRoot))
        {
            throw new DirectoryNotFoundException($"{root}: the static folder does not exist");
        }

        _inner = new PhysicalFileProvider(RealRoot, ExclusionFilters.Sensitive) { UsePollingFileWatcher = false };
    }

    /// <summary>The static folder with every symbolic link resolved.</summary>
    public string RealRoot { get; }

    public IFileInfo GetFileInfo(string subpath)
    {
        if (!IsSafe(subpath))
        {
            return new NotFoundFileInfo(subpath);
        }

        var file = _inner.GetFileInfo(subpath);
        if (!file.Exists || file.IsDirectory || file.PhysicalPath is null
            || RealPath.Resolve(file.PhysicalPath) is not { } real || !RealPath.IsInside(real, RealRoot) || IsBlocked(Path.GetFileName(real)))
        {
            return new NotFoundFileInfo(subpath);
        }

        return file;
    }

    public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    public void Dispose() => _inner.Dispose();

    /// <summary>A request path relative to the static folder: '/'-separated, no '..', '.', backslash, colon or control characters.</summary>
    public static bool IsSafe(string? subpath)
    {
        if (string.IsNullOrEmpty(subpath) || subpath.Any(c => c is '\\' or ':' || char.IsControl(c)))
        {
            return false;
        }

        var segments = subpath.TrimStart('/').Split('/');
        return segments.All(s => s.Length > 0 && s != "." && s != ".." && !s.StartsWith('.') && !IsBlocked(s));
    }

    /// <summary>Assemblies, symbols, dependency and runtime manifests, and configuration files are never served.</summary>
    public static bool IsBlocked(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.TrimEnd('.', ' ').ToLowerInvariant();
        return BlockedExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal))
            || BlockedSuffixes.Any(e => name.EndsWith(e, StringComparison.Ordinal))
            || (name.StartsWith("appsettings", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal));
    }
}

using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using PluginHost.Abstractions;
using PluginHost.Core.Configuration;

namespace PluginHost.Core.Loading;

/// <summary>
/// Tells, from metadata only, what an app's main assembly is: a plugin built against this host's major version of the
/// contract, or an ordinary ASP.NET Core app (an entry point, no contract). Reading metadata first turns the "wrong
/// contract" and "not an app at all" cases into one clear line instead of a TypeLoadException.
/// </summary>
public static class ContractCompatibility
{
    public static readonly string ContractName = typeof(IPluginApp).Assembly.GetName().Name!;
    public static readonly Version HostContractVersion = typeof(IPluginApp).Assembly.GetName().Version!;

    /// <summary>Returns null when compatible, else the reason.</summary>
    public static string? Check(string assemblyPath) => Resolve(assemblyPath, AppKind.Plugin).Problem;

    /// <summary>The kind of app in <paramref name="assemblyPath"/> (<paramref name="configured"/> when set), or why it cannot be hosted.</summary>
    public static (AppKind Kind, string? Problem) Resolve(string assemblyPath, AppKind? configured)
    {
        Version? contract;
        bool hasEntryPoint;
        try
        {
            (contract, hasEntryPoint) = ReadFacts(assemblyPath);
        }
        catch (BadImageFormatException)
        {
            return (configured ?? AppKind.Plugin, "not a .NET assembly");
        }

        var kind = configured ?? (contract is null && hasEntryPoint ? AppKind.AspNetCore : AppKind.Plugin);
        return (kind, kind == AppKind.Plugin ? PluginProblem(contract, hasEntryPoint, configured) : AppProblem(hasEntryPoint));
    }

    private static string? PluginProblem(Version? contract, bool hasEntryPoint, AppKind? configured)
    {
        if (contract is null)
        {
            return configured is null && !hasEntryPoint
                ? $"does not reference {ContractName} and has no entry point: a plugin must implement {nameof(IPluginApp)}, an ASP.NET Core app is mounted by the dll of its Main"
                : $"does not reference {ContractName}; a plugin must implement {nameof(IPluginApp)}";
        }

        return contract.Major == HostContractVersion.Major
            ? null
            : $"built against {ContractName} {contract}, but this host provides {HostContractVersion} " +
              $"(major {HostContractVersion.Major}); rebuild the plugin against {ContractName} {HostContractVersion.Major}.x";
    }

    private static string? AppProblem(bool hasEntryPoint) =>
        hasEntryPoint ? null : "has no entry point (Main): an ASP.NET Core app (apps[].kind: aspnetcore) is mounted by the dll of its Main";

    private static (Version? Contract, bool HasEntryPoint) ReadFacts(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException();
        }

        var hasEntryPoint = pe.PEHeaders.CorHeader is { EntryPointTokenOrRelativeVirtualAddress: not 0 };
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.StringComparer.Equals(reference.Name, ContractName))
            {
                return (reference.Version, hasEntryPoint);
            }
        }

        return (null, hasEntryPoint);
    }
}

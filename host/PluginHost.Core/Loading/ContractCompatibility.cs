using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using PluginHost.Abstractions;

namespace PluginHost.Core.Loading;

/// <summary>
/// Checks, from metadata only, that a plugin assembly was built against this host's major version of the contract.
/// Reading metadata first turns the "wrong contract" case into one clear line instead of a TypeLoadException.
/// </summary>
public static class ContractCompatibility
{
    public static readonly string ContractName = typeof(IPluginApp).Assembly.GetName().Name!;
    public static readonly Version HostContractVersion = typeof(IPluginApp).Assembly.GetName().Version!;

    /// <summary>Returns null when compatible, else the reason.</summary>
    public static string? Check(string assemblyPath)
    {
        Version? referenced;
        try
        {
            referenced = ReadContractReference(assemblyPath);
        }
        catch (BadImageFormatException)
        {
            return "not a .NET assembly";
        }

        if (referenced is null)
        {
            return $"does not reference {ContractName}; a plugin must implement {nameof(IPluginApp)}";
        }

        return referenced.Major == HostContractVersion.Major
            ? null
            : $"built against {ContractName} {referenced}, but this host provides {HostContractVersion} " +
              $"(major {HostContractVersion.Major}); rebuild the plugin against {ContractName} {HostContractVersion.Major}.x";
    }

    private static Version? ReadContractReference(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException();
        }

        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.StringComparer.Equals(reference.Name, ContractName))
            {
                return reference.Version;
            }
        }

        return null;
    }
}

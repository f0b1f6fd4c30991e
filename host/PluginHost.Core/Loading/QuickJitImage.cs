using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PluginHost.Core.Loading;

/// <summary>
/// Marks an assembly image, in memory, as asking the JIT not to optimise it: its
/// <see cref="DebuggableAttribute"/> is set to <c>Default | IgnoreSymbolStoreSequencePoints | DisableOptimizations</c>.
/// The runtime never tiers code in a collectible context, so without this every method of an app's private
/// dependencies (EF Core, Newtonsoft, …) is compiled fully optimised at its first call, in every generation; with it,
/// at the JIT's minimal optimisation, about as fast to compile as the tier-0 code a restarted process starts with.
/// The attribute's value is rewritten in place (compilers emit it in every assembly, with a blob of the same size), so
/// nothing else in the image moves.
/// </summary>
public static class QuickJitImage
{
    private const int Modes = (int)(DebuggableAttribute.DebuggingModes.Default
                                    | DebuggableAttribute.DebuggingModes.IgnoreSymbolStoreSequencePoints
                                    | DebuggableAttribute.DebuggingModes.DisableOptimizations);

    /// <summary>What <see cref="TryMark"/> found: the assembly's name (null if not an assembly) and whether it is marked.</summary>
    public readonly record struct Result(string? AssemblyName, bool Marked);

    /// <summary>Rewrites the assembly-level DebuggableAttribute of <paramref name="image"/> in place, if it has one.</summary>
    public static Result TryMark(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var pe = new PEReader(new MemoryStream(image, writable: false), PEStreamOptions.PrefetchMetadata);
        if (!pe.HasMetadata)
        {
            return new Result(null, false);
        }

        var metadata = pe.GetMetadataReader();
        if (!metadata.IsAssembly)
        {
            return new Result(null, false);
        }

        var definition = metadata.GetAssemblyDefinition();
        var name = metadata.GetString(definition.Name);
        foreach (var handle in definition.GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (IsDebuggable(metadata, attribute))
            {
                // The blob heap's offset in the file, the value's in the heap, then its one-byte compressed length.
                var at = pe.PEHeaders.MetadataStartOffset + metadata.GetHeapMetadataOffset(HeapIndex.Blob) + MetadataTokens.GetHeapOffset(attribute.Value);
                return new Result(name, image[at] < 0x80 && Rewrite(image.AsSpan(at + 1, image[at])));
            }
        }

        return new Result(name, false);
    }

    /// <summary>Prolog 01 00, then either DebuggingModes (int32) or two booleans (tracking, optimizer disabled), then 00 00.</summary>
    private static bool Rewrite(Span<byte> value)
    {
        if (value.Length < 2 || value[0] != 1 || value[1] != 0)
        {
            return false;
        }

        switch (value.Length)
        {
            case 8:
                BitConverter.TryWriteBytes(value.Slice(2, 4), Modes);
                return true;
            case 6:
                value[2] = 1;
                value[3] = 1;
                return true;
            default:
                return false;
        }
    }

    private static bool IsDebuggable(MetadataReader metadata, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind != HandleKind.MemberReference)
        {
            return false;
        }

        var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
        if (constructor.Parent.Kind != HandleKind.TypeReference)
        {
            return false;
        }

        var type = metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent);
        return metadata.StringComparer.Equals(type.Name, nameof(DebuggableAttribute))
               && metadata.StringComparer.Equals(type.Namespace, "System.Diagnostics");
    }
}

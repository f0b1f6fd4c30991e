using Microsoft.Diagnostics.NETCore.Client;

namespace PluginHost.Core.Unloading.LeakChains;

/// <summary>Finds what holds leaked contexts of this process: a heap dump of itself (the runtime's createdump), read with ClrMD.</summary>
public interface ILeakRootFinder
{
    /// <summary>For each context number (see <see cref="LoadContextId"/>) still in the heap, the chains that hold it.</summary>
    IReadOnlyDictionary<long, IReadOnlyList<LeakChain>> Find(IReadOnlyCollection<long> contextIds, CancellationToken cancellationToken = default);
}

/// <param name="dumpFolder">Where the dump is written (and deleted once read): a folder on disk, not tmpfs, with room for the process's size.</param>
public sealed class LeakRootFinder(string dumpFolder) : ILeakRootFinder
{
    /// <summary>The folder of state.root the host writes its dumps to (not an app name: those start with a letter or digit).</summary>
    public const string DumpFolderName = ".diagnostics";
    private const int ChainsPerContext = 3;

    public IReadOnlyDictionary<long, IReadOnlyList<LeakChain>> Find(IReadOnlyCollection<long> contextIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contextIds);
        Directory.CreateDirectory(dumpFolder);
        var dump = Path.Combine(dumpFolder, $"leak-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMddHHmmssfff}.dmp");
        try
        {
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, dump, WriteDumpFlags.None);
            using var analysis = new HeapDumpAnalysis(dump);
            return analysis.FindChains(contextIds, ChainsPerContext, cancellationToken);
        }
        finally
        {
            File.Delete(dump);
        }
    }
}

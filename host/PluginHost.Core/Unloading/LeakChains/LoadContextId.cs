using System.Globalization;
using System.Runtime.Loader;

namespace PluginHost.Core.Unloading.LeakChains;

/// <summary>
/// The runtime's own number of a load context (<c>"Name" Type #N</c> in its ToString): how a context seen alive through a
/// weak reference is found again among the objects of a heap dump.
/// </summary>
public static class LoadContextId
{
    public static long? Of(AssemblyLoadContext? context)
    {
        var text = context?.ToString();
        var hash = text?.LastIndexOf('#') ?? -1;
        return hash >= 0 && long.TryParse(text![(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}

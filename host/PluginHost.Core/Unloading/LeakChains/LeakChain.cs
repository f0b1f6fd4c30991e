namespace PluginHost.Core.Unloading.LeakChains;

/// <summary>
/// What holds a leaked generation: the GC root (a static field and its assembly, a thread running the app's code, a
/// handle) and the references from it to the first object of the app's context, each hop as "Type.field".
/// </summary>
public sealed record LeakChain(string Root, IReadOnlyList<string> Path)
{
    public override string ToString() => Path.Count == 0 ? Root : $"{Root} → {string.Join(" → ", Path)}";
}

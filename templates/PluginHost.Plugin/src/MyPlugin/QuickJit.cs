using System.Diagnostics;

// PluginHost loads this app into a collectible context, whose code the .NET runtime never tiers: without this line each
// of the app's methods is compiled fully optimised at its first call in every new generation, most of a reload's time.
// Compiled quickly instead, reloads take about half as long; the framework's code, which does most of the work of a
// request, is unaffected. Remove the line if the app's own code does heavy computation.
[assembly: Debuggable(DebuggableAttribute.DebuggingModes.Default | DebuggableAttribute.DebuggingModes.IgnoreSymbolStoreSequencePoints
    | DebuggableAttribute.DebuggingModes.DisableOptimizations)]

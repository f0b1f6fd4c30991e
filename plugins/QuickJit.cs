using System.Diagnostics;

// The host loads this app into a collectible context, whose code the runtime never tiers: without this line, each of
// the app's methods is compiled fully optimised at its first call in every new generation, and that compilation is most
// of a reload (the generated endpoint and JSON code included). The app's own code is thin glue over the framework,
// which is compiled ahead of time and tiers as usual, so it is compiled quickly, unoptimised, instead: reloads in half
// the time, at a cost per request within the noise of our measurements (README, "Quick JIT for an app's own code").
[assembly: Debuggable(DebuggableAttribute.DebuggingModes.Default | DebuggableAttribute.DebuggingModes.IgnoreSymbolStoreSequencePoints
    | DebuggableAttribute.DebuggingModes.DisableOptimizations)]

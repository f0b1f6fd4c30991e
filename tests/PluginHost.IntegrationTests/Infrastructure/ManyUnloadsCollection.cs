namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// The tests that unload hundreds of real-stack generations, or dump the process to explain a leak, run alone, one
/// class after another: unloading collectible contexts is the runtime's least exercised path, and .NET 10 has races there
/// (see README, "Unload hygiene") that every other test's load in the same process makes likelier.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ManyUnloadsCollection
{
    public const string Name = "many unloads";
}

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that assert how soon something happens after a swap (a SignalR client answered by the new generation within
/// 3 s, streams told at the swap and not at the drain timeout) run alone: on CI's two cores, the other classes' reloads,
/// forced collections and dumps in the same process can stall a host for seconds, which says nothing about the host.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Generations;
using PluginHost.Core.Unloading.LeakChains;

namespace PluginHost.Core.Tests.Unloading;

public sealed class LeakExplainerTests
{
    private static readonly LeakChain Chain = new("static Holder.Handlers (HostLib)", ["System.EventHandler", "App.Handler [App]"]);
    private readonly FakeTimeProvider _clock = new();
    private readonly ILeakRootFinder _finder = Substitute.For<ILeakRootFinder>();
    private readonly object _held = new();

    [Fact]
    public async Task Explain_FirstAnalysisFindsNoChain_AnalysesOnceMoreAfterTheRetryInterval()
    {
        _finder.Find(Arg.Any<IReadOnlyCollection<long>>()).Returns(
            new Dictionary<long, IReadOnlyList<LeakChain>>(),
            new Dictionary<long, IReadOnlyList<LeakChain>> { [7] = [Chain] });
        var sut = Explainer();
        var leaked = Leaked();

        sut.Explain([leaked]);

        await AdvanceUntilAsync(() => leaked.LeakChains.Count > 0, step: TimeSpan.FromSeconds(5));
        Assert.Equal([Chain], leaked.LeakChains);
        _finder.Received(2).Find(Arg.Any<IReadOnlyCollection<long>>());
        GC.KeepAlive(_held);
    }

    [Fact]
    public async Task Explain_AnalysisThrows_AnalysesOnceMoreAfterTheRetryInterval()
    {
        _finder.Find(Arg.Any<IReadOnlyCollection<long>>()).Returns(
            _ => throw new IOException("No space left on device"),
            _ => new Dictionary<long, IReadOnlyList<LeakChain>> { [7] = [Chain] });
        var sut = Explainer();
        var leaked = Leaked();

        sut.Explain([leaked]);

        await AdvanceUntilAsync(() => leaked.LeakChains.Count > 0, step: TimeSpan.FromSeconds(5));
        Assert.Equal([Chain], leaked.LeakChains);
        GC.KeepAlive(_held);
    }

    [Fact]
    public async Task Explain_NoChainTwice_GivesUpUntilTheGenerationLeaksAgain()
    {
        _finder.Find(Arg.Any<IReadOnlyCollection<long>>()).Returns(new Dictionary<long, IReadOnlyList<LeakChain>>());
        var sut = Explainer();
        var leaked = Leaked();

        sut.Explain([leaked]);
        await AdvanceUntilAsync(() => _finder.ReceivedCalls().Count() == 2, step: TimeSpan.FromSeconds(5));
        await sut.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        _clock.Advance(LeakExplainer.MinimumInterval * 2);
        await Task.Delay(50);
        Assert.Equal(2, _finder.ReceivedCalls().Count());
        Assert.Empty(leaked.LeakChains);
        GC.KeepAlive(_held);
    }

    private LeakExplainer Explainer() => new(_finder, _clock, Substitute.For<ILogger<LeakExplainer>>());

    private RetiredApp Leaked() => new("App", "v1", 1, new WeakReference(_held), _clock.GetTimestamp(), contextId: 7);

    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            _clock.Advance(step);
            await Task.Delay(5);
        }
    }
}

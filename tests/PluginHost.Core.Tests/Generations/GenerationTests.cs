using PluginHost.Core.Generations;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Generations;

public sealed class GenerationTests
{
    internal static Generation Empty(long number) => new(number, new ResolvedRelease($"v{number}", $"/releases/v{number}"), [], DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task RetireAsync_WithRequestsInside_CompletesWhenTheLastLeaves()
    {
        var sut = Empty(1);
        Assert.True(sut.TryEnter());
        Assert.True(sut.TryEnter());

        var drained = sut.RetireAsync();
        sut.Exit();
        Assert.False(drained.IsCompleted);
        sut.Exit();

        await drained.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, sut.InFlight);
    }

    [Fact]
    public void TryEnter_AfterRetire_Refuses()
    {
        var sut = Empty(1);

        _ = sut.RetireAsync();

        Assert.False(sut.TryEnter());
        Assert.Equal(0, sut.InFlight);
    }

    [Fact]
    public void Enter_AfterSwap_EntersTheNewGenerationAndNeverTheRetiredOne()
    {
        var sut = new CurrentGeneration();
        var first = Empty(1);
        var second = Empty(2);
        sut.Swap(first);

        var old = sut.Swap(second);
        _ = old!.RetireAsync();
        var entered = sut.Enter();

        Assert.Same(first, old);
        Assert.Same(second, entered);
        Assert.Equal(0, first.InFlight);
    }

    [Fact]
    public async Task Enter_RacingWithSwapsAndRetirement_NeverLeavesARequestInARetiredGeneration()
    {
        var sut = new CurrentGeneration();
        sut.Swap(Empty(0));
        using var stop = new CancellationTokenSource();
        var violations = 0;
        // Dedicated threads: four spinning readers on the thread pool of a 2-core machine would starve the continuations
        // this test awaits.
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var generation = sut.Enter()!;
                if (generation.IsDrained)
                {
                    Interlocked.Increment(ref violations);
                }

                generation.Exit();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

        for (var i = 1; i <= 500; i++)
        {
            var old = sut.Swap(Empty(i))!;
            await old.RetireAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, violations);
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Generations;

namespace PluginHost.Core.Tests.Generations;

public sealed class UnloadTrackerTests
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();
    private readonly ILogger<UnloadTracker> _logger = Substitute.For<ILogger<UnloadTracker>>();

    public UnloadTrackerTests() => _logger.IsEnabled(Arg.Any<LogLevel>()).Returns(true);

    [Fact]
    public async Task Track_ContextAlreadyCollected_CountsItAndLogsTheUnload()
    {
        var sut = new UnloadTracker(_clock, _logger, UnloadTimeout);

        sut.Track([Retired("A", 1, DeadReference())]);
        var settled = sut.WhenSettledAsync();
        await AdvanceUntilAsync(() => settled.IsCompleted);

        Assert.Equal(1, sut.CollectedCount);
        Assert.Empty(sut.Alive);
        Assert.Empty(sut.Leaked);
        Assert.Single(LogCalls(LogLevel.Information));
    }

    [Fact]
    public async Task Track_BeforeTheFirstCollectionDelay_ForcesNoCollection()
    {
        var sut = new UnloadTracker(_clock, _logger, UnloadTimeout);

        sut.Track([Retired("A", 1, DeadReference())]);
        _clock.Advance(UnloadTracker.FirstCollectionDelay - TimeSpan.FromMilliseconds(1));
        // A short real wait: what is checked is that nothing happens while the fake clock stands still.
        await Task.Delay(100);

        Assert.Equal(0, sut.CollectedCount);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await sut.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, sut.CollectedCount);
    }

    [Fact]
    public async Task Track_ContextStillReferencedAfterTheTimeout_ReportsOneLeakAndKeepsWatching()
    {
        var held = new object();
        var sut = new UnloadTracker(_clock, _logger, UnloadTimeout);
        var retired = Retired("A", 7, new WeakReference(held));

        sut.Track([retired]);
        var settled = sut.WhenSettledAsync();
        await AdvanceUntilAsync(() => settled.IsCompleted);

        Assert.Equal(UnloadState.Leaked, retired.State);
        Assert.Same(retired, Assert.Single(sut.Leaked));
        Assert.Same(retired, Assert.Single(sut.Alive));
        Assert.Equal(0, sut.CollectedCount);
        Assert.Single(LogCalls(LogLevel.Warning));
        GC.KeepAlive(held);
    }

    [Fact]
    public async Task Track_LeakedContextReleasedLater_IsCountedCollectedAtTheNextWatchTick()
    {
        var holder = new Holder();
        var sut = new UnloadTracker(_clock, _logger, UnloadTimeout);
        var retired = Retired("A", 9, holder.Reference());

        sut.Track([retired]);
        var settled = sut.WhenSettledAsync();
        await AdvanceUntilAsync(() => settled.IsCompleted);
        Assert.Equal(UnloadState.Leaked, retired.State);

        holder.Release();
        // One watch tick only: an idle host collects nothing of its own, so the tick itself must force the collection.
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually(() => sut.CollectedCount == 1);

        Assert.Equal(UnloadState.Collected, retired.State);
        Assert.Empty(sut.Leaked);
        Assert.Empty(sut.Alive);
    }

    [Fact]
    public async Task Track_RetirementArrivingWhileTheLoopGivesMemoryBack_IsVerifiedToo()
    {
        UnloadTracker? sut = null;
        var late = Retired("B", 2, DeadReference());
        var calls = 0;
        sut = new UnloadTracker(_clock, _logger, UnloadTimeout, afterSettled: () =>
        {
            // The next retirement comes while the loop, done with the first, gives memory back.
            if (Interlocked.Increment(ref calls) == 1)
            {
                sut!.Track([late]);
            }
        });

        sut.Track([Retired("A", 1, DeadReference())]);
        await AdvanceUntilAsync(() => sut.CollectedCount == 2);

        Assert.Equal(UnloadState.Collected, late.State);
        Assert.Empty(sut.Alive);
    }

    /// <summary>Holds an object that only a weak reference may see once released (no local keeps it).</summary>
    private sealed class Holder
    {
        private object? _held = new();

        [MethodImpl(MethodImplOptions.NoInlining)]
        public WeakReference Reference() => new(_held);

        public void Release() => _held = null;
    }

    private RetiredApp Retired(string app, long generation, WeakReference context) =>
        new(app, "v1", generation, context, _clock.GetTimestamp());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference DeadReference() => new(new object());

    private IEnumerable<object?[]> LogCalls(LogLevel level) =>
        _logger.ReceivedCalls().Where(c => c.GetMethodInfo().Name == nameof(ILogger.Log) && Equals(c.GetArguments()[0], level)).Select(c => c.GetArguments());

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    /// <summary>The tracker backs off on the fake clock: move it on until the condition holds (bounded by real time).</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(5);
        }
    }
}

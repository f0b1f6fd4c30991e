using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Generations;
using PluginHost.Core.Unloading;

namespace PluginHost.Core.Tests.Generations;

public sealed class GenerationRetirerTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();
    private readonly ILogger<GenerationRetirer> _logger = Substitute.For<ILogger<GenerationRetirer>>();

    public GenerationRetirerTests() => _logger.IsEnabled(Arg.Any<LogLevel>()).Returns(true);

    private GenerationRetirer CreateSut(TimeSpan? teardownDelay = null) =>
        new(new UnloadTracker(_clock, NullLogger<UnloadTracker>.Instance, TimeSpan.FromSeconds(10)),
            new UnloadHygiene([], NullLogger<UnloadHygiene>.Instance), _retiring, _clock, _logger, new RetirementOptions(DrainTimeout, TeardownDelay: teardownDelay));

    private readonly RetiringGenerations _retiring = new();

    [Fact]
    public async Task RetireAsync_LastRequestLeaves_CompletesWithoutWaitingForTheTimeout()
    {
        var generation = GenerationTests.Empty(2);
        Assert.True(generation.TryEnter());
        var sut = CreateSut();

        var retiring = sut.RetireAsync(generation);
        Assert.False(retiring.IsCompleted);
        generation.Exit();

        await retiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(Warnings());
    }

    [Fact]
    public async Task RetireAsync_RequestOutlivesTheDrainTimeout_AbortsWithAWarningAndDisposesOnlyOnceItEnded()
    {
        var generation = GenerationTests.Empty(4);
        Assert.True(generation.TryEnter());
        var sut = CreateSut();

        var retiring = sut.RetireAsync(generation);
        _clock.Advance(DrainTimeout - TimeSpan.FromSeconds(1));
        Assert.False(retiring.IsCompleted);
        Assert.Equal(RetirementState.Draining, Assert.Single(_retiring.Current).State);
        _clock.Advance(TimeSpan.FromSeconds(2));

        await Eventually(() => Warnings().Any());
        Assert.Equal(RetirementState.Aborting, Assert.Single(_retiring.Current).State);
        Assert.False(retiring.IsCompleted);
        generation.Exit();
        await retiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(Warnings());
        Assert.Empty(_retiring.Current);
    }

    [Fact]
    public async Task RetireAsync_DrainedAtOnce_TearsDownOnlyOnceTheTeardownDelayHasPassedSinceItRetired()
    {
        var generation = GenerationTests.Empty(5);
        var sut = CreateSut(teardownDelay: TimeSpan.FromMilliseconds(100));

        var retiring = sut.RetireAsync(generation);
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(retiring.IsCompleted);
        Assert.Equal(RetirementState.Draining, Assert.Single(_retiring.Current).State);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await retiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(_retiring.Current);
    }

    [Fact]
    public async Task RetireAsync_DrainLongerThanTheTeardownDelay_TearsDownWithoutWaitingAgain()
    {
        var generation = GenerationTests.Empty(6);
        Assert.True(generation.TryEnter());
        var sut = CreateSut(teardownDelay: TimeSpan.FromMilliseconds(100));

        var retiring = sut.RetireAsync(generation);
        _clock.Advance(TimeSpan.FromSeconds(1));
        generation.Exit();

        await retiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(_retiring.Current);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    private IEnumerable<object?[]> Warnings() =>
        _logger.ReceivedCalls().Where(c => c.GetMethodInfo().Name == nameof(ILogger.Log) && Equals(c.GetArguments()[0], LogLevel.Warning)).Select(c => c.GetArguments());
}

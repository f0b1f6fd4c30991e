using Microsoft.Extensions.Time.Testing;
using PluginHost.Core.Reloading;

namespace PluginHost.Core.Tests.Reloading;

public sealed class DebouncerTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();
    private readonly Action<string> _fire = Substitute.For<Action<string>>();

    [Fact]
    public void Signal_Lone_FiresOnceAfterTheSettleDelay()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);

        sut.Signal("touched");
        _fire.DidNotReceiveWithAnyArgs().Invoke(default!);
        _time.Advance(Debouncer.SettleDelay);

        _fire.Received(1).Invoke("touched");
    }

    [Fact]
    public void Signal_LoneCompleteChange_FiresAtOnce()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);

        sut.Signal("link flipped", complete: true);

        _fire.Received(1).Invoke("link flipped");
        _time.Advance(Quiet * 2);
        _fire.Received(1).Invoke(Arg.Any<string>());
    }

    [Fact]
    public void Signal_TouchRightAfterACompleteChange_IsHeldUntilTheBurstIsQuiet()
    {
        var fire = Substitute.For<Action<string, long>>();
        using var sut = new Debouncer(_time, Quiet, fire);

        sut.Signal("link flipped", complete: true);
        var flipped = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        sut.Signal("touched");
        var touched = _time.GetTimestamp();
        _time.Advance(Quiet - TimeSpan.FromMilliseconds(1));
        fire.Received(1).Invoke(Arg.Any<string>(), Arg.Any<long>());
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Received.InOrder(() =>
        {
            fire.Invoke("link flipped", flipped);
            fire.Invoke("touched", touched);
        });
    }

    [Fact]
    public void Signal_CompleteChangeWhileSettling_FiresOnceAtTheSettleDelay()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);

        sut.Signal("touched");
        sut.Signal("link flipped", complete: true);
        _fire.DidNotReceiveWithAnyArgs().Invoke(default!);
        _time.Advance(Debouncer.SettleDelay);

        _fire.Received(1).Invoke(Arg.Any<string>());
        _fire.Received(1).Invoke("link flipped");
    }

    [Fact]
    public void Signal_SeveralWithinTheSettleDelay_FireOnceWithTheLastReason()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);

        sut.Signal("created");
        _time.Advance(TimeSpan.FromMilliseconds(2));
        sut.Signal("stamped");
        _time.Advance(Debouncer.SettleDelay);

        _fire.Received(1).Invoke(Arg.Any<string>());
        _fire.Received(1).Invoke("stamped");
    }

    [Fact]
    public void Signal_HundredInOneSecond_FiresAtMostTwice()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);

        for (var i = 0; i < 100; i++)
        {
            sut.Signal($"touch {i}");
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        _time.Advance(Quiet);

        _fire.Received(2).Invoke(Arg.Any<string>());
        _fire.Received(1).Invoke("touch 99");
    }

    [Fact]
    public void Signal_AfterAQuietSpell_FiresAgainPromptly()
    {
        using var sut = new Debouncer(_time, Quiet, _fire);
        sut.Signal("first");
        _time.Advance(Quiet * 2);

        sut.Signal("second");
        _time.Advance(Debouncer.SettleDelay);

        _fire.Received(1).Invoke("first");
        _fire.Received(1).Invoke("second");
    }

    [Fact]
    public void Dispose_WithAHeldSignal_NeverFires()
    {
        var sut = new Debouncer(_time, Quiet, _fire);
        sut.Signal("touched");

        sut.Dispose();
        _time.Advance(Quiet);

        _fire.DidNotReceiveWithAnyArgs().Invoke(default!);
    }
}

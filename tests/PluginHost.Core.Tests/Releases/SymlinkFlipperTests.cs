using System.Collections.Concurrent;
using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class SymlinkFlipperTests : IDisposable
{
    private readonly TempReleasesRoot _releases = new();

    [Fact]
    public void Flip_NoLinkYet_CreatesRelativeLink()
    {
        Directory.CreateDirectory(Path.Combine(_releases.Root, "a"));

        SymlinkFlipper.Flip(_releases.ProductionLink, "a");

        Assert.Equal("a", _releases.ReadProduction());
        Assert.True(Directory.Exists(_releases.ProductionLink));
        Assert.Equal(["a", "production"], Directory.EnumerateFileSystemEntries(_releases.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Flip_ThousandsOfFlipsWhileReaderResolves_ReaderSeesOnlyValidTargets()
    {
        const int MinimumFlips = 1000;
        const long MinimumChangesSeen = 1000;
        var deadline = TimeSpan.FromSeconds(30);
        Directory.CreateDirectory(Path.Combine(_releases.Root, "a"));
        Directory.CreateDirectory(Path.Combine(_releases.Root, "b"));
        SymlinkFlipper.Flip(_releases.ProductionLink, "a");
        var errors = new ConcurrentQueue<string>();
        var reads = 0L;
        var readsDuringFlips = 0L;
        var changesSeen = 0L;
        var flipping = 0;
        using var readerStarted = new ManualResetEventSlim();
        using var stop = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            string? previous = null;
            while (!stop.IsCancellationRequested)
            {
                // A read counts as concurrent only when flips were in progress both before and after it.
                var duringFlips = Volatile.Read(ref flipping) == 1;
                var target = ReadOnce(errors);
                if (duringFlips && Volatile.Read(ref flipping) == 1)
                {
                    Interlocked.Increment(ref readsDuringFlips);
                    if (target is not null && previous is not null && target != previous)
                    {
                        // Consecutive reads straddled a flip: reads and flips really interleave, not just take turns.
                        Interlocked.Increment(ref changesSeen);
                    }
                }

                previous = target;
                Interlocked.Increment(ref reads);
                readerStarted.Set();
            }
        }) { IsBackground = true, Name = "production link reader" };
        reader.Start();
        Assert.True(readerStarted.Wait(deadline), "the reader thread never completed a read");

        // Flip until both minimums are met: on a busy machine the reader may get little CPU, so a fixed number of
        // flips alone would not prove that the reader was resolving the link while it was being replaced.
        var flips = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Volatile.Write(ref flipping, 1);
        while ((flips < MinimumFlips || Interlocked.Read(ref changesSeen) < MinimumChangesSeen) && clock.Elapsed < deadline)
        {
            SymlinkFlipper.Flip(_releases.ProductionLink, flips % 2 == 0 ? "b" : "a");
            flips++;
        }

        Volatile.Write(ref flipping, 0);
        stop.Cancel();
        Assert.True(reader.Join(deadline), "the reader thread did not stop");

        Assert.Empty(errors.Take(10));
        Assert.True(flips >= MinimumFlips, $"only {flips} flips in {deadline.TotalSeconds}s");
        Assert.True(Interlocked.Read(ref changesSeen) >= MinimumChangesSeen,
            $"the reader saw the target change only {Interlocked.Read(ref changesSeen)} times in {Interlocked.Read(ref readsDuringFlips)} reads during {flips} flips");
        Assert.Equal(flips % 2 == 0 ? "a" : "b", _releases.ReadProduction());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_releases.Root), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>Resolves the link once as a reader would; returns its target, or null after recording what went wrong.</summary>
    private string? ReadOnce(ConcurrentQueue<string> errors)
    {
        try
        {
            var target = new FileInfo(_releases.ProductionLink).LinkTarget;
            if (target is not ("a" or "b"))
            {
                errors.Enqueue($"unexpected target '{target ?? "(no link)"}'");
                return null;
            }

            var resolved = Directory.ResolveLinkTarget(_releases.ProductionLink, returnFinalTarget: true);
            if (resolved is not { Exists: true, Name: "a" or "b" })
            {
                errors.Enqueue($"resolved to '{resolved?.FullName ?? "(nothing)"}'");
                return null;
            }

            return target;
        }
        catch (Exception exception)
        {
            errors.Enqueue(exception.GetType().Name + ": " + exception.Message);
            return null;
        }
    }

    public void Dispose() => _releases.Dispose();
}

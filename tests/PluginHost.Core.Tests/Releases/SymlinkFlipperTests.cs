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
    public void Flip_ThousandFlipsWhileReaderResolves_ReaderSeesOnlyValidTargets()
    {
        Directory.CreateDirectory(Path.Combine(_releases.Root, "a"));
        Directory.CreateDirectory(Path.Combine(_releases.Root, "b"));
        SymlinkFlipper.Flip(_releases.ProductionLink, "a");
        var errors = new ConcurrentQueue<string>();
        var reads = 0L;
        using var stop = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var target = new FileInfo(_releases.ProductionLink).LinkTarget;
                    if (target is not ("a" or "b"))
                    {
                        errors.Enqueue($"unexpected target '{target ?? "(no link)"}'");
                    }

                    var resolved = Directory.ResolveLinkTarget(_releases.ProductionLink, returnFinalTarget: true);
                    if (resolved is not { Exists: true, Name: "a" or "b" })
                    {
                        errors.Enqueue($"resolved to '{resolved?.FullName ?? "(nothing)"}'");
                    }
                }
                catch (Exception exception)
                {
                    errors.Enqueue(exception.GetType().Name + ": " + exception.Message);
                }

                Interlocked.Increment(ref reads);
            }
        });
        reader.Start();

        for (var i = 0; i < 1000; i++)
        {
            SymlinkFlipper.Flip(_releases.ProductionLink, i % 2 == 0 ? "b" : "a");
        }

        stop.Cancel();
        reader.Join();

        Assert.Empty(errors);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.Equal("a", _releases.ReadProduction());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_releases.Root), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    public void Dispose() => _releases.Dispose();
}

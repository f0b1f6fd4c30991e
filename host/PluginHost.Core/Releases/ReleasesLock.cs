namespace PluginHost.Core.Releases;

/// <summary>
/// The one lock every command that changes a releases root holds (publish's commit, promote, rollback, prune and the
/// host's bad marks): an exclusive <c>flock</c> on the hidden file <see cref="FileName"/> in the root. .NET takes that
/// lock itself for <see cref="FileShare.None"/> on Unix (LOCK_EX|LOCK_NB), so waiting is polling until it is free.
/// The kernel drops the lock when its holder dies, even by kill -9: a crashed command never leaves the root locked.
/// </summary>
public sealed class ReleasesLock : IDisposable
{
    public const string FileName = ".lock";

    /// <summary>How long a command waits for another one before giving up with a message.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private readonly FileStream _stream;

    private ReleasesLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until no other command holds the lock of <paramref name="root"/>, then holds it until disposed.</summary>
    /// <exception cref="ReleaseStoreException">Another command held it for longer than <paramref name="timeout"/>.</exception>
    public static ReleasesLock Acquire(string root, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, FileName);
        var bound = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            try
            {
                return new ReleasesLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
            }
            catch (IOException ex) when (IsHeldByAnother(ex) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(PollInterval);
            }
            catch (IOException ex) when (IsHeldByAnother(ex))
            {
                throw new ReleaseStoreException(
                    $"another release command has held {path} for more than {bound.TotalSeconds:0} s; wait for it to finish (or find it with 'fuser {path}') and try again");
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>.NET reports a lock held elsewhere as a plain IOException with errno EWOULDBLOCK (11) as its HResult.</summary>
    private static bool IsHeldByAnother(IOException exception) => exception.GetType() == typeof(IOException) && exception.HResult == 11;
}

using System.Runtime.InteropServices;

namespace PluginHost.Core.Releases;

/// <summary>
/// Appends bytes with open(2) O_APPEND and one write(2), then fsync(2): the kernel puts every write at the end of the
/// file as it is at that moment, whoever else writes. .NET has no O_APPEND (its FileMode.Append seeks once, then
/// writes at its own position), hence these three calls.
/// </summary>
internal static class AppendOnlyFile
{
    // Linux values (the host runs on Linux: releases are symlinks flipped with rename(2)).
    private const int OpenWriteOnly = 0x1;
    private const int OpenCreate = 0x40;
    private const int OpenAppend = 0x400;
    private const int OpenCloseOnExec = 0x80000;
    private const int Mode0644 = 0x1A4;

    public static void Write(string path, byte[] bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the release history is appended with Linux's open(2) O_APPEND; run release commands on Linux");
        }

        var fd = Open(path, OpenWriteOnly | OpenCreate | OpenAppend | OpenCloseOnExec, Mode0644);
        if (fd < 0)
        {
            throw Failure("open", path);
        }

        try
        {
            var written = WriteAll(fd, bytes);
            if (written < 0)
            {
                throw Failure("write", path);
            }

            if (written != bytes.Length)
            {
                throw new IOException($"{path}: only {written} of {bytes.Length} bytes could be appended (disk full?)");
            }

            if (Fsync(fd) != 0)
            {
                throw Failure("fsync", path);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // One write: the kernel appends a regular file's write whole unless the disk fills up (then it is short).
    private static long WriteAll(int fd, byte[] bytes) => WriteBytes(fd, bytes, (nuint)bytes.Length);

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}' ({call} failed)");
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteBytes(int fd, byte[] buffer, nuint count);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}

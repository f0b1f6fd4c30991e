using System.Globalization;

namespace PluginHost.Benchmarks.Infrastructure;

/// <summary>How busy the shared machine is: the kernel's 1-minute load average (runnable tasks), from /proc/loadavg.</summary>
public static class MachineLoad
{
    /// <summary>The 1-minute load average, or NaN where /proc/loadavg cannot be read.</summary>
    public static double OneMinute()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }
}

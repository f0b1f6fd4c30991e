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

    /// <summary>"1-minute load average 2.1–9.8 (median 5.0) on 2 cores": how shared the machine was during a run.</summary>
    public static string Describe(IEnumerable<double> loadAverages) => loadAverages.Where(l => !double.IsNaN(l)).ToList() is { Count: > 0 } load
        ? Reporting.Fmt.F($"1-minute load average {load.Min():0.0}–{load.Max():0.0} (median {Stats.Median(load):0.0}) on {Environment.ProcessorCount} cores")
        : "load average unknown";
}

using System.Runtime.InteropServices;

namespace PluginHost.Benchmarks.Reporting;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(int Cores, string Cpu, string Runtime, string Os, DateTimeOffset Date)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        CpuModel(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        DateTimeOffset.UtcNow);

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}

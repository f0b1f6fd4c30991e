using System.Runtime.InteropServices;
using PluginHost.Benchmarks;

// dotnet run -c Release --project tests/PluginHost.Benchmarks -- [--quick] [--only overhead,reload,load,memory,apps,logging,realstack,https,signalr,aspnetcore,warm,process] [--output FILE]
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

using var stopping = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await BenchmarkSuite.RunAsync(options, Console.Out, stopping.Token);

// Ctrl+C or SIGTERM: stop measuring, but let the suite kill its child processes and delete its temp folders.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}

namespace PluginHost.Core.Workers;

/// <summary>How to start the host executable as a worker: the program and the arguments before the worker verb.</summary>
/// <param name="FileName">The host's apphost, or dotnet.</param>
/// <param name="Arguments">For dotnet: the host's dll.</param>
public sealed record WorkerLaunch(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>None: the host was not started as the pluginhost executable (e.g. embedded in a test), so process apps cannot run.</summary>
    public static WorkerLaunch? None => null;

    /// <summary>The running executable: its apphost, or <c>dotnet</c> with its entry assembly.</summary>
    public static WorkerLaunch ForThisExecutable(string entryAssemblyPath)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the host's executable path is unknown");
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? new WorkerLaunch(process, [entryAssemblyPath])
            : new WorkerLaunch(process, []);
    }
}

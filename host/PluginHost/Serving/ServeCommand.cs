namespace PluginHost.Serving;

/// <summary>The 'serve' verb: runs the host until SIGTERM/SIGINT.</summary>
public static class ServeCommand
{
    /// <summary>Runs the host; returns the process exit code.</summary>
    public static Task<int> RunAsync(string configPath, IReadOnlyList<string>? urlsOverride, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("engine owner fills this in");
}

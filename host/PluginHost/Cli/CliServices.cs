using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;
using PluginHost.Serving;

namespace PluginHost.Cli;

/// <summary>What the command-line verbs depend on; tests replace the parts that touch the outside world.</summary>
public sealed record CliServices
{
    /// <summary>Loads and validates config.yaml (throws with a human-readable message when it is wrong).</summary>
    public required Func<string, HostConfig> LoadConfig { get; init; }

    /// <summary>Checks a release before 'validate', 'promote' and 'rollback' flip to it.</summary>
    public required IReleaseValidator Validator { get; init; }

    /// <summary>Runs the host: (config path, --urls override, cancellation) → exit code.</summary>
    public Func<string, IReadOnlyList<string>?, CancellationToken, Task<int>> Serve { get; init; } = ServeCommand.RunAsync;

    /// <summary>Runs 'dotnet publish' for the publish verb.</summary>
    public IProcessRunner ProcessRunner { get; init; } = new ProcessRunner();

    /// <summary>Creates the client the status verb asks the running host with.</summary>
    public Func<HttpClient> CreateHttpClient { get; init; } = static () => new HttpClient();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Reads the secret for 'hash-password' (standard input, not echoed on a terminal).</summary>
    public Func<string?> ReadSecret { get; init; } = HashPasswordVerb.ReadSecretFromConsole;

    /// <summary>Recorded in the release history.</summary>
    public string UserName { get; init; } = Environment.UserName;

    /// <summary>Relative --config paths and the repository search start here.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;
}

namespace PluginHost.Cli;

/// <summary>A user error: printed as one 'error:' line (plus optional detail lines) on stderr, exit code 1.</summary>
internal sealed class CliUserException(string message, IReadOnlyList<string>? details = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    public IReadOnlyList<string> Details { get; } = details ?? [];
}

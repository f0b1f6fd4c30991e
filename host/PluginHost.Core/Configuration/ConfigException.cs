namespace PluginHost.Core.Configuration;

/// <summary>The config file is invalid; <see cref="Errors"/> holds every problem found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A ConfigException needs at least one error.", nameof(errors));
        }

        return string.Join(Environment.NewLine, errors);
    }
}

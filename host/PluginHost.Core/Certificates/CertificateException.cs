using PluginHost.Core.Configuration;

namespace PluginHost.Core.Certificates;

/// <summary>
/// A certificate of server.certificate cannot be used: a file that cannot be read, a key that does not match, a wrong
/// password, an expired certificate. Each problem is one line naming the config key and the file.
/// </summary>
public sealed class CertificateException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

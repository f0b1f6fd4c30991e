using PluginHost.Core.Configuration;

namespace PluginHost.Core.Releases;

/// <summary>Runs validators in order and stops at the first that reports problems (cheap file checks before loads).</summary>
public sealed class CompositeReleaseValidator : IReleaseValidator
{
    private readonly IReadOnlyList<IReleaseValidator> _validators;

    public CompositeReleaseValidator(params IReadOnlyList<IReleaseValidator> validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        _validators = validators;
    }

    public async Task<IReadOnlyList<string>> ValidateAsync(HostConfig config, string releasePath, CancellationToken cancellationToken = default)
    {
        foreach (var validator in _validators)
        {
            var errors = await validator.ValidateAsync(config, releasePath, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                return errors;
            }
        }

        return [];
    }
}

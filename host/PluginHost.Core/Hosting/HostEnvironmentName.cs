namespace PluginHost.Core.Hosting;

/// <summary>
/// The environment name (Production, Development…) the host runs its apps in, resolved the way
/// <c>WebApplication</c> resolves it: <c>ASPNETCORE_ENVIRONMENT</c>, else <c>DOTNET_ENVIRONMENT</c>, else Production.
/// The host and the release validator both use it, so a release is validated in the environment it will serve in.
/// </summary>
public static class HostEnvironmentName
{
    public const string Default = "Production";

    /// <summary>Resolves from this process's environment variables.</summary>
    public static string Resolve() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary>Resolves from <paramref name="getVariable"/> (an environment variable lookup).</summary>
    public static string Resolve(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        foreach (var variable in (ReadOnlySpan<string>)["ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"])
        {
            if (getVariable(variable) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return Default;
    }
}

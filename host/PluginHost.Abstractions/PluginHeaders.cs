namespace PluginHost.Abstractions;

/// <summary>Request headers the host sets for apps.</summary>
public static class PluginHeaders
{
    /// <summary>The user name the host authenticated for this request (never the secret).</summary>
    public const string AuthenticatedUser = "X-PluginHost-User";
}

namespace PluginHost.Core.Routing;

/// <summary>
/// The cookie that keeps a client on the side of a canary it was rolled onto: <c>pluginhost-canary=&lt;version&gt;.c</c> (canary)
/// or <c>.s</c> (stable). It names the canary's version, so a new canary rolls every client again.
/// </summary>
public static class CanaryCookie
{
    public const string Name = "pluginhost-canary";

    public static string Value(string version, bool onCanary) => version + (onCanary ? ".c" : ".s");

    /// <summary>The whole Set-Cookie header value: session cookie for the whole site, not readable by scripts.</summary>
    public static string SetCookie(string version, bool onCanary) => $"{Name}={Value(version, onCanary)}; path=/; samesite=lax; httponly";
}

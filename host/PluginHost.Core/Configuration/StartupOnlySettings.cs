namespace PluginHost.Core.Configuration;

/// <summary>
/// The sections of config.yaml that are wired into the host at start-up (listen URLs, watched paths, timers, the admin
/// surface, logging): a reload applies only <c>apps</c>, and a change anywhere else needs a restart.
/// </summary>
public static class StartupOnlySettings
{
    /// <summary>Keeps every start-up-only section of <paramref name="running"/> and takes the apps of <paramref name="reloaded"/>.</summary>
    public static HostConfig Reload(HostConfig running, HostConfig reloaded)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(reloaded);
        return running with { Apps = reloaded.Apps };
    }

    /// <summary>The names of the start-up-only sections that differ between the two configs.</summary>
    public static IReadOnlyList<string> Changed(HostConfig running, HostConfig reloaded)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(reloaded);
        var changed = new List<string>();
        if (!SameServer(running.Server, reloaded.Server))
        {
            changed.Add("server");
        }

        if (running.Releases != reloaded.Releases)
        {
            changed.Add("releases");
        }

        if (!SameReload(running.Reload, reloaded.Reload))
        {
            changed.Add("reload");
        }

        if (!SameAdmin(running.Admin, reloaded.Admin))
        {
            changed.Add("admin");
        }

        if (running.Logging != reloaded.Logging)
        {
            changed.Add("logging");
        }

        if (running.State != reloaded.State)
        {
            changed.Add("state");
        }

        if (running.Canary != reloaded.Canary)
        {
            changed.Add("canary");
        }

        return changed;
    }

    private static bool SameServer(ServerConfig a, ServerConfig b) =>
        a.ShutdownTimeout == b.ShutdownTimeout && a.Urls.SequenceEqual(b.Urls, StringComparer.Ordinal) && a.Http3 == b.Http3
        && a.Certificates.Count == b.Certificates.Count && a.Certificates.Zip(b.Certificates).All(pair => pair.First.SameAs(pair.Second))
        && a.ForwardedHeaders.KnownProxies.SequenceEqual(b.ForwardedHeaders.KnownProxies, StringComparer.Ordinal);

    private static bool SameReload(ReloadConfig a, ReloadConfig b) =>
        a with { SkipUnloadSteps = Array.Empty<string>() } == b with { SkipUnloadSteps = Array.Empty<string>() }
        && a.SkipUnloadSteps.SequenceEqual(b.SkipUnloadSteps, StringComparer.OrdinalIgnoreCase);

    private static bool SameAdmin(AdminConfig a, AdminConfig b) =>
        a.Path == b.Path && a.Token == b.Token
        && a.Allow.SequenceEqual(b.Allow, StringComparer.Ordinal) && a.Urls.SequenceEqual(b.Urls, StringComparer.Ordinal);
}

using System.Globalization;

namespace PluginHost.Serving;

/// <summary>
/// Whether systemd passed this process listening sockets (socket activation, sd_listen_fds(3)): LISTEN_PID names this
/// process and LISTEN_FDS counts the sockets from fd 3. Kestrel's <c>UseSystemd()</c> checks the same variables and
/// listens on the sockets; this only decides that server.urls are not bound besides them.
/// </summary>
public static class SystemdSockets
{
    public static bool Passed =>
        Environment.GetEnvironmentVariable("LISTEN_PID") == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
        && int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0;
}

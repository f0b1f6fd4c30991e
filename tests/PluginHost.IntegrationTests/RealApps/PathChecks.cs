using Xunit.Sdk;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// Runs the code paths of one exercise one after the other and keeps going when one fails, so a single run names every
/// path that fails (a path that depends on a failed one fails too, and says so in its own message).
/// </summary>
public sealed class PathChecks
{
    private readonly List<string> _failures = [];

    public async Task RunAsync(string path, Func<Task> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        try
        {
            await check();
        }
        catch (Exception ex) when (ex is XunitException or HttpRequestException or TimeoutException or InvalidOperationException
                                       or KeyNotFoundException or System.Text.Json.JsonException or TaskCanceledException)
        {
            _failures.Add($"{path}: {FirstLine(ex.Message)}");
        }
    }

    public void ThrowIfAnyFailed()
    {
        if (_failures.Count > 0)
        {
            throw new XunitException($"{_failures.Count} path(s) failed:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", _failures));
        }
    }

    private static string FirstLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.Take(4));
    }
}

using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.Policy;

/// <summary>Configs for the request-policy tests: the quick-reload header plus the given sections.</summary>
internal static class PolicyConfig
{
    public static void Write(TempReleases releases, string sections) => releases.WriteQuickReloadConfig(sections);

    /// <summary>ReportingApi alone on /api/v1 (no "/" app), with <paramref name="extra"/> lines added to the app.</summary>
    public static string ReportingApi(string extra = "") => $"""
        apps:
          - name: ReportingApi
            mount: /api/v1
            assembly: ReportingApi/ReportingApi.dll
            warmup: [/version]
        {Indent(extra, 4)}
        """;

    public static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));
}

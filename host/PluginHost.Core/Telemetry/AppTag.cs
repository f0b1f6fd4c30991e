using System.Globalization;

namespace PluginHost.Core.Telemetry;

/// <summary>The prefix of an app generation's console lines ("ReportingApi v1.4.0 #3: "), carried in the property AppTag.</summary>
public static class AppTag
{
    public const string PropertyName = "AppTag";

    public static string For(string app, string? version, string generation) =>
        version is null ? $"{app} #{generation}: " : $"{app} {version} #{generation}: ";

    public static string For(string app, string? version, long generation) =>
        For(app, version, generation.ToString(CultureInfo.InvariantCulture));
}

using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace PluginHost.Serving;

/// <summary>
/// Adds <c>AppTag</c> ("ReportingApi v1.4.0 #3: ") to events that carry App, Version and Generation, so a console line
/// says which app generation wrote it; events of the host itself, and those whose message already names the app, get none.
/// </summary>
public sealed class AppTagEnricher : ILogEventEnricher
{
    public const string PropertyName = "AppTag";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(propertyFactory);
        if (Scalar(logEvent, "App") is not { } app || Scalar(logEvent, "Generation") is not { } generation || NamesTheApp(logEvent))
        {
            return;
        }

        var tag = Scalar(logEvent, "Version") is { } version ? $"{app} {version} #{generation}: " : $"{app} #{generation}: ";
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(PropertyName, tag));
    }

    private static bool NamesTheApp(LogEvent logEvent) =>
        logEvent.MessageTemplate.Tokens.OfType<PropertyToken>().Any(t => t.PropertyName == "App");

    private static string? Scalar(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar } ? Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture) : null;
}

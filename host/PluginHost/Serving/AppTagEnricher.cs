using PluginHost.Core.Telemetry;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace PluginHost.Serving;

/// <summary>
/// Adds <c>AppTag</c> ("ReportingApi v1.4.0 #3: ") to events that carry App, Version and Generation, so a console line
/// says which app generation wrote it; events of the host itself, and those whose message already names the app, get none.
/// An app generation's own events come tagged by its logger (<see cref="PluginHost.Core.Loading.HostServices.LoggerFactoryFor"/>).
/// </summary>
public sealed class AppTagEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(propertyFactory);
        if (logEvent.Properties.ContainsKey(AppTag.PropertyName))
        {
            // Given by the generation's logger, which tags every event alike: the naming rule is applied here only.
            if (NamesTheApp(logEvent))
            {
                logEvent.RemovePropertyIfPresent(AppTag.PropertyName);
            }

            return;
        }

        if (Scalar(logEvent, "App") is not { } app || Scalar(logEvent, "Generation") is not { } generation || NamesTheApp(logEvent))
        {
            return;
        }

        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(AppTag.PropertyName, AppTag.For(app, Scalar(logEvent, "Version"), generation)));
    }

    private static bool NamesTheApp(LogEvent logEvent)
    {
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken { PropertyName: "App" })
            {
                return true;
            }
        }

        return false;
    }

    private static string? Scalar(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar } ? Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture) : null;
}

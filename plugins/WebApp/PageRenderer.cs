using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;

namespace WebApp;

/// <summary>
/// Renders the HTML templates in <c>templates/</c> of the app's content root, replacing
/// <c>{{name}}</c> placeholders with HTML-encoded values. Unknown placeholders are left as they are.
/// </summary>
internal sealed partial class PageRenderer(PluginContext context, IOptions<SiteOptions> options)
{
    private readonly ConcurrentDictionary<string, string> _templates = new(StringComparer.Ordinal);

    /// <summary>Renders <c>templates/<paramref name="templateName"/></c> for a request under <paramref name="pathBase"/>.</summary>
    public string Render(string templateName, string pathBase)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["siteName"] = options.Value.SiteName,
            ["appName"] = context.AppName,
            ["version"] = context.Version,
            ["generation"] = context.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pathBase"] = pathBase,
        };

        var template = _templates.GetOrAdd(templateName, Load);
        return Placeholder().Replace(template, match =>
            values.TryGetValue(match.Groups[1].Value, out var value) ? WebUtility.HtmlEncode(value) : match.Value);
    }

    // Release folders are immutable, so a template is read once per generation.
    private string Load(string templateName)
        => File.ReadAllText(Path.Combine(context.ContentRoot, "templates", templateName), Encoding.UTF8);

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}")]
    private static partial Regex Placeholder();
}

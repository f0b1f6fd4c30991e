namespace WebApp;

/// <summary>The app's settings, bound from its <c>settings</c> section of config.yaml.</summary>
public sealed record SiteOptions
{
    /// <summary>Shown in the page title and header.</summary>
    public string SiteName { get; init; } = "PluginHost sample site";
}

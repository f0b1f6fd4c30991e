namespace MyPlugin;

/// <summary>The app's settings: its <c>settings</c> section in the host's config.yaml.</summary>
public sealed class GreetingOptions
{
    public string Greeting { get; set; } = "Hello";
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace ValidatesSettings;

public sealed record GreetingOptions
{
    public string Greeting { get; init; } = "";
}

/// <summary>
/// Binds its settings to <see cref="GreetingOptions"/> with a validation rule, as the options documentation shows, and
/// reads them in Configure: settings that break the rule fail the load with an <see cref="OptionsValidationException"/>.
/// </summary>
public sealed class ValidatesSettingsApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOptions<GreetingOptions>()
            .Bind(context.Settings)
            .Validate(options => !string.IsNullOrWhiteSpace(options.Greeting), "settings.greeting must not be empty");
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        var greeting = app.ApplicationServices.GetRequiredService<IOptions<GreetingOptions>>().Value.Greeting;

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "validates-settings");
            endpoints.MapGet("/greeting", () => greeting);
        });
    }
}

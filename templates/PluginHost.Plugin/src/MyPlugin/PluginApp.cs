using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PluginHost.Abstractions;

namespace MyPlugin;

/// <summary>
/// The app's entry point: PluginHost creates one instance per load, gives it its own service container and pipeline,
/// and mounts the pipeline on the app's URL prefix (apps[].mount in config.yaml).
/// </summary>
public sealed class PluginApp : IPluginApp
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        services.AddOptions<GreetingOptions>().Bind(context.Settings);
        // JSON metadata generated at build time (PluginJsonContext): a new generation builds none by reflection.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, PluginJsonContext.Default));
    }

    /// <inheritdoc />
    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);

        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            // Paths are relative to the mount: with mount /my-plugin this answers GET /my-plugin/hello.
            endpoints.MapGet("/hello", (IOptions<GreetingOptions> options, HttpRequest request) =>
                TypedResults.Ok(new Hello(options.Value.Greeting, context.AppName, context.Version, context.Generation, request.PathBase.Value ?? "")));
        });
    }
}

/// <summary>The answer of GET /hello.</summary>
public sealed record Hello(string Greeting, string App, string Version, long Generation, string Mount);

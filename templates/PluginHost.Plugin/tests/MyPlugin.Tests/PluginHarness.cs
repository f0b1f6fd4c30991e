using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PluginHost.Abstractions;

namespace MyPlugin.Tests;

/// <summary>
/// Plays PluginHost for one app: builds the app's own container (ConfigureServices) and pipeline (Configure) as the host
/// does, and sends requests straight into the pipeline, with the mount as PathBase. No server, no port.
/// </summary>
public sealed class PluginHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly RequestDelegate _pipeline;

    public PluginHarness(IPluginApp app, string mount = "/my-plugin", IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        Context = new PluginContext("MyPlugin", "test", 1, AppContext.BaseDirectory, mount,
            new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());

        // What the host registers before the app's own services.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new DiagnosticListener("MyPlugin.Tests"));
        services.AddSingleton<DiagnosticSource>(sp => sp.GetRequiredService<DiagnosticListener>());
        services.AddSingleton(Context.Settings);
        services.AddSingleton(Context);
        services.AddRouting();
        app.ConfigureServices(services, Context);
        _services = services.BuildServiceProvider(validateScopes: true);

        var builder = new ApplicationBuilder(_services);
        app.Configure(builder, Context);
        _pipeline = builder.Build();
    }

    public PluginContext Context { get; }

    /// <summary>GET <paramref name="path"/> (relative to the mount): the status code and the body as text.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        await using var scope = _services.CreateAsyncScope();
        using var body = new MemoryStream();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.PathBase = Context.MountPath == "/" ? PathString.Empty : new PathString(Context.MountPath);
        http.Request.Path = path;
        http.Response.Body = body;

        await _pipeline(http);

        return (http.Response.StatusCode, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace PluginHost.Core.Loading;

/// <summary>The hosting environment an app sees: its own folder in the release as content root.</summary>
internal sealed class AppHostEnvironment : IWebHostEnvironment
{
    public AppHostEnvironment(string applicationName, string contentRoot, string environmentName)
    {
        ApplicationName = applicationName;
        EnvironmentName = environmentName;
        ContentRootPath = contentRoot;
        ContentRootFileProvider = new PhysicalFileProvider(contentRoot);
        WebRootPath = Path.Combine(contentRoot, "wwwroot");
        WebRootFileProvider = Directory.Exists(WebRootPath) ? new PhysicalFileProvider(WebRootPath) : new NullFileProvider();
    }

    public string ApplicationName { get; set; }
    public string EnvironmentName { get; set; }
    public string ContentRootPath { get; set; }
    public IFileProvider ContentRootFileProvider { get; set; }
    public string WebRootPath { get; set; }
    public IFileProvider WebRootFileProvider { get; set; }

    public void Dispose()
    {
        (ContentRootFileProvider as IDisposable)?.Dispose();
        (WebRootFileProvider as IDisposable)?.Dispose();
    }
}

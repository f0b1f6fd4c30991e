using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PluginHost.Core.StaticFiles;

/// <summary>
/// <c>static: wwwroot</c>: the host serves the app's static folder under its mount with ASP.NET Core's
/// <see cref="StaticFileMiddleware"/> (content types, ETag, Last-Modified, ranges, HEAD) in front of the app's own
/// pipeline; anything that is not a servable file falls through to the app.
/// </summary>
public static class AppStaticFiles
{
    public static RequestDelegate Wrap(RequestDelegate pipeline, ReleaseFileProvider files, IWebHostEnvironment environment, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(files);
        var options = new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            ServeUnknownFileTypes = false,
        };
        return new StaticFileMiddleware(pipeline, environment, Options.Create(options), loggerFactory).Invoke;
    }
}

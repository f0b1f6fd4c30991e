using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PluginHost.Abstractions;

namespace ReportingApi;

/// <summary>The app's endpoints, relative to its mount (e.g. /api/v1).</summary>
internal static partial class ReportingEndpoints
{
    public static IEndpointRouteBuilder MapReportingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/version", GetVersion);
        endpoints.MapGet("/health", GetHealth);
        endpoints.MapGet("/report", GetReport);
        endpoints.MapGet("/headers", GetHeaders);
        endpoints.MapPost("/echo", EchoAsync);
        endpoints.MapGet("/throw", Throw);
        return endpoints;
    }

    private static Ok<VersionInfo> GetVersion(ReportService reports, ILogger<ReportingApiApp> log)
    {
        var version = reports.GetVersion();
        Log.VersionServed(log, version.Version, version.Generation, version.Aggregation.Algorithm);
        return TypedResults.Ok(version);
    }

    private static string GetHealth(ILogger<ReportingApiApp> log)
    {
        Log.HealthChecked(log);
        return "ok";
    }

    private static Ok<Report> GetReport(ReportService reports, ILogger<ReportingApiApp> log)
    {
        var report = reports.GetReport();
        Log.ReportServed(log, report.Title, report.Summary.Count);
        return TypedResults.Ok(report);
    }

    private static Ok<HeadersInfo> GetHeaders(HttpRequest request, ILogger<ReportingApiApp> log)
    {
        var names = request.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();
        var user = request.Headers.TryGetValue(PluginHeaders.AuthenticatedUser, out var value) ? value.ToString() : null;
        Log.HeadersServed(log, names.Count, user);
        return TypedResults.Ok(new HeadersInfo(names, user));
    }

    private static async Task<Ok<EchoResult>> EchoAsync(HttpRequest request, ILogger<ReportingApiApp> log, CancellationToken cancellationToken)
    {
        // Read in chunks without buffering: the host's body-size limit applies while reading.
        var buffer = new byte[16 * 1024];
        long length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            length += read;
        }

        Log.BodyEchoed(log, length);
        return TypedResults.Ok(new EchoResult(length));
    }

    private static string Throw(ILogger<ReportingApiApp> log)
    {
        Log.ThrowRequested(log);
        throw new InvalidOperationException("Deliberate failure requested through GET /throw.");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Served version {Version} (generation {Generation}, aggregation {Algorithm})", EventName = "VersionServed")]
        public static partial void VersionServed(ILogger logger, string version, long generation, string algorithm);

        [LoggerMessage(2, LogLevel.Debug, "Health checked", EventName = "HealthChecked")]
        public static partial void HealthChecked(ILogger logger);

        [LoggerMessage(3, LogLevel.Information, "Served report {Title} over {Count} figures", EventName = "ReportServed")]
        public static partial void ReportServed(ILogger logger, string title, int count);

        [LoggerMessage(4, LogLevel.Information, "Listed {Count} request headers for user {User}", EventName = "HeadersServed")]
        public static partial void HeadersServed(ILogger logger, int count, string? user);

        [LoggerMessage(5, LogLevel.Information, "Echoed a request body of {Length} bytes", EventName = "BodyEchoed")]
        public static partial void BodyEchoed(ILogger logger, long length);

        [LoggerMessage(6, LogLevel.Warning, "Throwing on purpose for GET /throw", EventName = "ThrowRequested")]
        public static partial void ThrowRequested(ILogger logger);
    }
}

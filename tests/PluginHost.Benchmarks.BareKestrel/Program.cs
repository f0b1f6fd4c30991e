using Microsoft.Extensions.Configuration;
using PluginHost.Abstractions;
using ReportingApi;
using TinyJson;

// Usage: PluginHost.Benchmarks.BareKestrel --app tiny|reporting --urls http://127.0.0.1:PORT [--cert FILE.pem --key FILE.pem]
//   tiny:      GET /api/v1/ — the TinyJson endpoint mapped straight onto the app (a bare minimal API).
//   reporting: the ReportingApi sample as its own standalone Kestrel app under /api/v1.
//   --cert/--key: https URLs are served with this certificate the way Kestrel's documentation does it (ServerCertificate in
//   the https defaults; HTTP/1.1 and HTTP/2 by ALPN, TLS 1.2 and 1.3), the baseline of the host's HTTPS benchmark.
var app = Argument("--app") ?? "tiny";
var urls = Argument("--urls") ?? "http://127.0.0.1:5000";
var certificate = Argument("--cert");
var key = Argument("--key");

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries));
if (certificate is not null)
{
    builder.WebHost.UseKestrelHttpsConfiguration();
    builder.WebHost.ConfigureKestrel(options => options.ConfigureHttpsDefaults(https =>
    {
        https.ServerCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key);
        https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
    }));
}

switch (app)
{
    case "tiny":
    {
        var web = builder.Build();
        web.MapTinyJson("/api/v1/");
        await web.RunAsync();
        return 0;
    }

    case "reporting":
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["reportTitle"] = "Benchmark report",
            ["figures:0"] = "1",
            ["figures:1"] = "2",
            ["figures:2"] = "3",
        }).Build();
        var context = new PluginContext("ReportingApi", "standalone", 1, AppContext.BaseDirectory, "/api/v1", settings);
        var plugin = new ReportingApiApp();
        plugin.ConfigureServices(builder.Services, context);
        var web = builder.Build();
        web.UsePathBase("/api/v1");
        plugin.Configure(web, context);
        await web.RunAsync();
        return 0;
    }

    default:
        await Console.Error.WriteLineAsync($"unknown --app '{app}': use tiny or reporting");
        return 1;
}

string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

using Microsoft.Extensions.Configuration;
using PluginHost.Abstractions;
using RealStackApp;
using ReportingApi;
using TinyJson;

// Usage: PluginHost.Benchmarks.BareKestrel --app tiny|reporting|realstack|upstream --urls http://127.0.0.1:PORT [--setting KEY=VALUE]… [--cert FILE.pem --key FILE.pem]
//   tiny:      GET /api/v1/ — the TinyJson endpoint mapped straight onto the app (a bare minimal API); GET /_bench/allocated
//              answers the managed bytes the process allocated so far (the suite divides them by requests, as it reads
//              the host's from its status).
//   reporting: the ReportingApi sample as its own standalone Kestrel app under /api/v1.
//   realstack: the RealStackApp test plugin as its own standalone Kestrel app under /shop; its settings come from --setting.
//   upstream:  GET /echo?text= answers { text, caller }: the pricing service RealStackApp's named HttpClient calls.
//   --cert/--key: https URLs are served with this certificate the way Kestrel's documentation does it (ServerCertificate in
//   the https defaults; HTTP/1.1 and HTTP/2 by ALPN, TLS 1.2 and 1.3), the baseline of the host's HTTPS benchmark.
var app = Argument("--app") ?? "tiny";
var urls = Argument("--urls") ?? "http://127.0.0.1:5000";
var certificate = Argument("--cert");
var key = Argument("--key");

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = [],
    // As the host does: the application name is the app's main assembly's, so MVC finds the app's controllers by it.
    ApplicationName = app == "realstack" ? typeof(RealStackAppApp).Assembly.GetName().Name : null,
});
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
        web.MapGet("/_bench/allocated", () => GC.GetTotalAllocatedBytes().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await web.RunAsync();
        return 0;
    }

    case "reporting":
        await RunPluginAsync(new ReportingApiApp(), "ReportingApi", "/api/v1", new Dictionary<string, string?>
        {
            ["reportTitle"] = "Benchmark report",
            ["figures:0"] = "1",
            ["figures:1"] = "2",
            ["figures:2"] = "3",
        });
        return 0;

    case "realstack":
        await RunPluginAsync(new RealStackAppApp(), "RealStackApp", "/shop", Settings());
        return 0;

    case "upstream":
    {
        var web = builder.Build();
        web.MapGet("/echo", (string? text, HttpRequest request) =>
            Results.Json(new Dictionary<string, string?> { ["text"] = text ?? "", ["caller"] = request.Headers["X-Caller"].FirstOrDefault() }));
        await web.RunAsync();
        return 0;
    }

    default:
        await Console.Error.WriteLineAsync($"unknown --app '{app}': use tiny, reporting, realstack or upstream");
        return 1;
}

// The plugin as its own app: its ConfigureServices on the builder's services, its Configure on the built app under its mount.
async Task RunPluginAsync(IPluginApp plugin, string name, string mount, IDictionary<string, string?> settings)
{
    var context = new PluginContext(name, "standalone", 1, AppContext.BaseDirectory, mount, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    plugin.ConfigureServices(builder.Services, context);
    var web = builder.Build();
    web.UsePathBase(mount);
    plugin.Configure(web, context);
    await web.RunAsync();
}

string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

// Every --setting KEY=VALUE, as IConfiguration keys.
Dictionary<string, string?> Settings() => args.Zip(args.Skip(1))
    .Where(pair => pair.First == "--setting" && pair.Second.Contains('=', StringComparison.Ordinal))
    .ToDictionary(pair => pair.Second[..pair.Second.IndexOf('=', StringComparison.Ordinal)], pair => (string?)pair.Second[(pair.Second.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);

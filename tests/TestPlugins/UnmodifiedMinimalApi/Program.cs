// An ordinary ASP.NET Core app, as `dotnet new web` starts one.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<Greeter>();
builder.Services.AddSingleton<Heartbeat>();
builder.Services.AddHostedService(services => services.GetRequiredService<Heartbeat>());

// A slow start-up (a cache to fill, a database to migrate), when the BuildDelay setting asks for one.
if (builder.Configuration["BuildDelay"] is { Length: > 0 } delay)
{
    Thread.Sleep(TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture));
}

var app = builder.Build();

// Middleware that depends on where the app is mounted, as links and redirects do.
app.Use(async (context, next) =>
{
    context.Response.Headers["X-App-PathBase"] = context.Request.PathBase.Value;
    await next(context);
});

app.MapGet("/", (HttpContext context, Greeter greeter, Heartbeat heartbeat, IConfiguration configuration, IWebHostEnvironment environment,
    IHostApplicationLifetime lifetime) => new
{
    app = environment.ApplicationName,
    greeting = greeter.Greet(),
    fromHost = configuration["FromHost"],
    environment = environment.EnvironmentName,
    contentRoot = environment.ContentRootPath,
    instance = Greeter.Instance,
    pathBase = context.Request.PathBase.Value,
    link = $"{context.Request.PathBase}/items/1",
    beats = heartbeat.Beats,
    started = lifetime.ApplicationStarted.IsCancellationRequested,
});

app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id, name = $"item {id}" }));
app.MapPost("/echo", async (HttpRequest request) => Results.Text(await new StreamReader(request.Body).ReadToEndAsync(), "text/plain"));

app.Run();

internal sealed class Greeter(IConfiguration configuration)
{
    /// <summary>One per load of this assembly: a new generation has a new one.</summary>
    public static readonly string Instance = Guid.NewGuid().ToString("N");

    public string Greet() => configuration["Greeting"] ?? "hello";
}

/// <summary>A hosted service: beats while the app runs, and leaves a marker file when it is stopped (StopMarkers setting).</summary>
internal sealed class Heartbeat(IConfiguration configuration, ILogger<Heartbeat> logger) : BackgroundService
{
    private int _beats;

    public int Beats => Volatile.Read(ref _beats);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Heartbeat started");
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Interlocked.Increment(ref _beats);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (configuration["StopMarkers"] is { Length: > 0 } folder)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"stopped-{Greeter.Instance}"), Beats.ToString(), cancellationToken);
        }
    }
}

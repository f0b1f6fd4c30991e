using System.Text.Json.Serialization;

var builder = WebApplication.CreateBuilder(args);
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonSerializerContext.Default));

var app = builder.Build();

var summaries = new[]
{
    "Freezing", "Bracing", "Chilly", "Cool", "Mild", "Warm", "Balmy", "Hot", "Sweltering", "Scorching"
};

app.MapGet("/weatherforecast", (IConfiguration configuration) =>
{
    var days = configuration.GetValue("Forecast:Days", 5);
    var forecast = Enumerable.Range(1, days).Select(index =>
        new WeatherForecast
        (
            DateOnly.FromDateTime(DateTime.Now.AddDays(index)),
            Random.Shared.Next(-20, 55),
            summaries[Random.Shared.Next(summaries.Length)]
        ))
        .ToArray();
    return forecast;
})
.WithName("GetWeatherForecast");

var startedAt = DateTimeOffset.UtcNow;
app.MapGet("/version", (IWebHostEnvironment environment) =>
    new VersionInfo(environment.ApplicationName, typeof(WeatherForecast).Assembly.GetName().Version?.ToString(), startedAt));

app.Run();

record WeatherForecast(DateOnly Date, int TemperatureC, string? Summary)
{
    public int TemperatureF => 32 + (int)(TemperatureC / 0.5556);
}

record VersionInfo(string App, string? Version, DateTimeOffset StartedAt);

[JsonSerializable(typeof(WeatherForecast[]))]
[JsonSerializable(typeof(VersionInfo))]
internal partial class AppJsonSerializerContext : JsonSerializerContext
{
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PluginHost.Benchmarks.Infrastructure;
using PluginHost.Benchmarks.Reporting;

namespace PluginHost.Benchmarks.Sections;

/// <summary>
/// The RealStackApp test plugin (tests/TestPlugins/RealStackApp: MVC + Newtonsoft, EF Core on SQLite, a named HttpClient, a
/// BackgroundService, options with enum and TimeSpan members) as the suite deploys and drives it: its settings, and one
/// request on each main path per generation, so that every library runs in every generation. The database keeps a constant
/// size (one seeded product, bought and restocked), so generation 1,000 does the same work as generation 1.
/// </summary>
public sealed class RealStackShop(HttpClient client)
{
    public const string Mount = "/shop";
    public const string VersionPath = Mount + "/version";
    public const string ProductsPath = Mount + "/api/products";
    private const int KeptFailures = 5;
    private static readonly TimeSpan RestockBound = TimeSpan.FromSeconds(5);
    private readonly List<string> _failures = [];
    private long _productId;

    /// <summary>Warm-up requests of the host's config: MVC, Newtonsoft and an EF Core query are ready before the swap.</summary>
    public static IReadOnlyList<string> Warmup { get; } = ["/version", "/api/products"];

    public long Requests { get; private set; }

    public long Failed { get; private set; }

    /// <summary>The first failures, each with the request and what it answered.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The app's settings: its database in <paramref name="dataFolder"/>, its pricing service at <paramref name="upstream"/>, the Shop section.</summary>
    public static IReadOnlyDictionary<string, string> Settings(string dataFolder, Uri upstream) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ConnectionStrings:Default"] = "Data Source=" + Path.Combine(dataFolder, "shop.db"),
        ["Pricing:BaseUrl"] = upstream.ToString(),
        ["Pricing:Timeout"] = "00:00:05",
        ["Shop:Name"] = "Benchmark shop",
        ["Shop:Policy"] = "Strict",
        ["Shop:RestockInterval"] = "00:00:00.100",
        ["Shop:RestockAmount"] = "5",
        ["Shop:Currency"] = "EUR",
    };

    /// <summary>Creates the product every generation buys (once per database).</summary>
    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        using var created = await client.PostAsJsonAsync(Mount + "/api/products", new { name = "Chair", price = 49.90m, stock = 5 }, cancellationToken);
        if (created.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchException($"RealStackApp did not create the product it is driven with: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(cancellationToken)}");
        }

        _productId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }

    /// <summary>
    /// One request on each main path of <paramref name="generation"/>: options and the BackgroundService (polled until it
    /// restocked once), an EF Core query with Include, an EF Core update, Newtonsoft input with model validation, the named
    /// HttpClient. Failures are counted, not thrown: a long run reports them beside its figures.
    /// </summary>
    /// <param name="generation">The host generation the app must report; null for an app in a worker process, which is
    /// a new process each deploy (its BackgroundService having run at all says it ran in this one).</param>
    public async Task ExerciseAsync(long? generation, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + RestockBound;
        await CheckAsync("GET /api/status (options; the restock worker ran in this generation)", () => client.GetAsync(Mount + "/api/status", cancellationToken),
            async response => response.StatusCode == HttpStatusCode.OK && await WorkerRanAsync(response, generation, cancellationToken),
            retryUntil: deadline, cancellationToken);
        await CheckAsync("GET /api/products?inStock=true (EF Core query with Include)", () => client.GetAsync(Mount + "/api/products?inStock=true", cancellationToken),
            response => Task.FromResult(response.StatusCode == HttpStatusCode.OK), retryUntil: null, cancellationToken);
        await CheckAsync("POST /api/products/{id}/buy (EF Core update; 409 when sold out under the Strict policy)",
            () => client.PostAsJsonAsync(Fmt.F($"{Mount}/api/products/{_productId}/buy?quantity=1"), new { }, cancellationToken),
            response => Task.FromResult(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict), retryUntil: null, cancellationToken);
        await CheckAsync("POST /api/products invalid (Newtonsoft body, automatic 400)",
            () => client.PostAsJsonAsync(Mount + "/api/products", new { name = "", price = 0 }, cancellationToken),
            response => Task.FromResult(response.StatusCode == HttpStatusCode.BadRequest), retryUntil: null, cancellationToken);
        await CheckAsync("GET /api/pricing/quote (named HttpClient to the upstream)", () => client.GetAsync(Mount + "/api/pricing/quote?item=chair", cancellationToken),
            response => Task.FromResult(response.StatusCode == HttpStatusCode.OK), retryUntil: null, cancellationToken);
    }

    private static async Task<bool> WorkerRanAsync(HttpResponseMessage response, long? generation, CancellationToken cancellationToken)
    {
        var status = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var restock = status.GetProperty("restock");
        return (generation is null || status.GetProperty("generation").GetInt64() == generation) && restock.GetProperty("running").GetBoolean() && restock.GetProperty("rounds").GetInt64() >= 1;
    }

    /// <param name="retryUntil">Asks again until this time while the answer is not the expected one; null to ask once.</param>
    private async Task CheckAsync(string what, Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, Task<bool>> expected, DateTime? retryUntil,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            Requests++;
            string answer;
            try
            {
                using var response = await send();
                if (await expected(response))
                {
                    return;
                }

                answer = Fmt.F($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                answer = ex.GetType().Name + ": " + ex.Message;
            }

            if (retryUntil is { } until && DateTime.UtcNow < until)
            {
                await Task.Delay(20, cancellationToken);
                continue;
            }

            Failed++;
            if (_failures.Count < KeptFailures)
            {
                _failures.Add(what + " answered " + (answer.Length > 300 ? answer[..300] + "…" : answer));
            }

            return;
        }
    }
}

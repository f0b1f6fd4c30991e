using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RealStackApp.Data;

namespace RealStackApp;

/// <summary>What the restock worker has done (singleton).</summary>
public sealed class RestockStats
{
    private long _rounds;
    private long _restocked;
    private int _running;

    public long Rounds => Interlocked.Read(ref _rounds);

    public long Restocked => Interlocked.Read(ref _restocked);

    public bool Running => Volatile.Read(ref _running) == 1;

    public void SetRunning(bool running) => Volatile.Write(ref _running, running ? 1 : 0);

    public void Round(int restocked)
    {
        Interlocked.Increment(ref _rounds);
        Interlocked.Add(ref _restocked, restocked);
    }
}

/// <summary>Refills sold-out products every <see cref="ShopOptions.RestockInterval"/>, in a scope of its own per round.</summary>
public sealed partial class RestockWorker(IServiceScopeFactory scopes, IOptions<ShopOptions> options, RestockStats stats, ILogger<RestockWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stats.SetRunning(true);
        try
        {
            using var timer = new PeriodicTimer(options.Value.RestockInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
                var restocked = await db.Products.Where(p => p.Stock == 0)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stock, options.Value.RestockAmount), stoppingToken);
                stats.Round(restocked);
                if (restocked > 0)
                {
                    LogRestocked(logger, restocked);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            stats.SetRunning(false);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Restocked {Count} products", EventName = "Restocked")]
    private static partial void LogRestocked(ILogger logger, int count);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BackgroundWorker;

/// <summary>What the worker has done (singleton): read by the endpoints.</summary>
public sealed class TickRecorder
{
    private long _ticks;
    private int _running;

    public long Ticks => Interlocked.Read(ref _ticks);

    public bool Running => Volatile.Read(ref _running) == 1;

    public DateTimeOffset? LastTick { get; private set; }

    public void Started() => Volatile.Write(ref _running, 1);

    public void Stopped() => Volatile.Write(ref _running, 0);

    public void Tick(DateTimeOffset at)
    {
        Interlocked.Increment(ref _ticks);
        LastTick = at;
    }
}

/// <summary>The BackgroundService of the worker-service docs: loops on a PeriodicTimer until its stopping token is cancelled.</summary>
public sealed partial class TickWorker(TickRecorder recorder, TimeProvider timeProvider, ILogger<TickWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(logger, Period);
        recorder.Started();
        try
        {
            using var timer = new PeriodicTimer(Period, timeProvider);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                recorder.Tick(timeProvider.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the normal way out.
        }
        finally
        {
            recorder.Stopped();
            LogStopped(logger, recorder.Ticks);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Tick worker starting, every {Period}", EventName = "TickWorkerStarting")]
    private static partial void LogStarting(ILogger logger, TimeSpan period);

    [LoggerMessage(2, LogLevel.Information, "Tick worker stopped after {Ticks} ticks", EventName = "TickWorkerStopped")]
    private static partial void LogStopped(ILogger logger, long ticks);
}

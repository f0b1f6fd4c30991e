using System.Reflection;
using System.Runtime.Loader;
using PluginHost.Core.Loading;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// Runs an app's Main on a thread of its own, as the app's code (its context for Assembly.Load by name), with the host
/// interception armed. Main blocks in app.Run() for as long as the generation serves.
/// </summary>
internal sealed class EntryPoint
{
    private readonly TaskCompletionSource<string?> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EntryPoint()
    {
    }

    /// <summary>Completes when Main returns: null, or why it failed (type and message only: a stack trace would hold the app's code).</summary>
    public Task<string?> Exited => _exited.Task;

    public static EntryPoint Start(string appName, Assembly main, string[] args, AssemblyLoadContext context, HostCapture capture)
    {
        var entry = new EntryPoint();
        var method = main.EntryPoint ?? throw new InvalidOperationException($"{main.GetName().Name} has no entry point");
        var thread = new Thread(() => entry.Run(method, args, context, capture)) { IsBackground = true, Name = $"{appName} Main" };
        // UnsafeStart: the thread must not inherit the host's execution context (its async-locals would reach the app).
        thread.UnsafeStart();
        return entry;
    }

    private void Run(MethodInfo method, string[] args, AssemblyLoadContext context, HostCapture capture)
    {
        try
        {
            using (context.EnterContextualReflection())
            {
                HostInterception.Begin(capture);
                var result = method.Invoke(null, method.GetParameters().Length == 0 ? null : [args]);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }
            }

            _exited.TrySetResult(null);
        }
        catch (Exception ex)
        {
            var cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
            _exited.TrySetResult($"Main threw {cause.GetType().Name}: {PluginAssemblyLoader.FirstLine(cause.Message)}");
        }
    }
}

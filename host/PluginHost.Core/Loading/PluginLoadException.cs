namespace PluginHost.Core.Loading;

/// <summary>An app of a release could not be loaded: names the app, the file and the cause, never a bare stack trace.</summary>
public sealed class PluginLoadException(string appName, string file, string cause, Exception? inner = null)
    : Exception($"app '{appName}': {file}: {cause}", inner)
{
    public string AppName { get; } = appName;
    public string File { get; } = file;
    public string Cause { get; } = cause;

    /// <summary>
    /// The collectible context of the half-built app, when one was created before the failure: the host verifies
    /// that it unloads too (held weakly: the exception must not keep it alive).
    /// </summary>
    public WeakReference? AbandonedContext { get; private set; }

    /// <summary>
    /// The failure of an app whose context <paramref name="context"/> is being abandoned, as a PluginLoadException
    /// (an unexpected exception becomes one naming app, file and cause; its stack trace, which may reference the
    /// app's code, is dropped).
    /// </summary>
    internal static PluginLoadException Abandoning(Exception failure, string appName, string file, WeakReference context)
    {
        var error = failure as PluginLoadException
            ?? new PluginLoadException(appName, file, $"{failure.GetType().Name}: {PluginAssemblyLoader.FirstLine(failure.Message)}");
        error.AbandonedContext ??= context;
        return error;
    }

    /// <summary>False when the fault lies outside the release (e.g. a users file named by config.yaml): the release is not marked bad.</summary>
    public bool BlamesRelease { get; init; } = true;
}

/// <summary>
/// An app's load cancelled part-way (another app of the generation failed, or the host stops) after its context was
/// created: the context is abandoned, and the host verifies that it unloads too (held weakly).
/// </summary>
public sealed class LoadCanceledException(WeakReference abandonedContext, CancellationToken cancellationToken)
    : OperationCanceledException("the app's load was cancelled", cancellationToken)
{
    public WeakReference AbandonedContext { get; } = abandonedContext;
}

namespace PluginHost.Core.Loading;

/// <summary>
/// How one app generation starts, reports ready and stops: the part of an <see cref="AppInstance"/> that depends on how
/// the app is hosted (a plugin's hosted services run by the host, or an unmodified app's own generic host).
/// </summary>
internal interface IAppLifecycle
{
    /// <summary>Before the generation takes any traffic (warm-up included); a failure fails the load.</summary>
    Task StartAsync(string assemblyPath, CancellationToken cancellationToken);

    /// <summary>After the warm-up: whether the app says it can serve.</summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>The generation went live.</summary>
    void NotifyStarted();

    /// <summary>The generation no longer gets new requests.</summary>
    void SignalStopping();

    /// <summary>After the drain, before the container is disposed; bounded by <paramref name="timeout"/>, never throws.</summary>
    Task StopAsync(TimeSpan timeout, TimeProvider timeProvider);
}

/// <summary>An app generation's root container and whatever must be disposed with it.</summary>
internal interface IAppContainer : IAsyncDisposable
{
    IServiceProvider Provider { get; }
}

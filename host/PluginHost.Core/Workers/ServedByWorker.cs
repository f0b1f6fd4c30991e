namespace PluginHost.Core.Workers;

/// <summary>A request feature naming the worker process that served the request (one instance per worker: no allocation per request).</summary>
public sealed record ServedByWorker(int Pid);

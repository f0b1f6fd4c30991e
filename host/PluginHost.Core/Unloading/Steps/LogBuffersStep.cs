using PluginHost.Core.Telemetry;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// The host's own: each buffered log sink's worker holds the last event it wrote until the next one comes. At a quiet
/// level (Warning) that may be the retiring app's last error for as long as nothing else is logged, and its exception
/// references the app's code. Each buffer is told to let go (<see cref="LogBuffers.ReleaseLastEvents"/>). Runs last, after
/// the other steps, whose failures may log. Nothing is reported: what the workers held is not known here.
/// </summary>
public sealed class LogBuffersStep(LogBuffers? buffers) : IUnloadStep
{
    public const string StepName = "log-buffers";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report) => buffers?.ReleaseLastEvents();
}

using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace PluginHost.Core.AspNetCoreApps;

/// <summary>
/// Finds the host an app's Main builds. Microsoft.Extensions.Hosting announces every host it builds on a
/// DiagnosticListener ("HostBuilding" with the builder, "HostBuilt" with the host); the events are raised on the thread
/// (or async flow) that builds, so an async-local marks the ones of the app whose Main the host is running.
/// </summary>
internal static class HostInterception
{
    private const string ListenerName = "Microsoft.Extensions.Hosting";

    private static readonly AsyncLocal<Slot?> Current = new();
    private static readonly Lazy<IDisposable> Subscription = new(() => DiagnosticListener.AllListeners.Subscribe(new ListenerObserver()));

    /// <summary>From now on, on this flow, the next host built is given to <paramref name="capture"/>.</summary>
    public static void Begin(HostCapture capture)
    {
        _ = Subscription.Value;
        Current.Value = new Slot(capture);
    }

    /// <summary>
    /// What the async-local holds. Emptied once the host is built, so that an execution context captured by the app later
    /// (a timer, a cached task) holds this empty box, not the app's host.
    /// </summary>
    private sealed class Slot(HostCapture capture)
    {
        public HostCapture? Capture = capture;
    }

    private sealed class ListenerObserver : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == ListenerName && Current.Value is { Capture: not null } slot)
            {
                // The listener lives for one Build() and is disposed at its end, which ends this subscription too.
                listener.Subscribe(new EventObserver(slot));
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    private sealed class EventObserver(Slot slot) : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (slot.Capture is not { } capture)
            {
                return;
            }

            switch (value.Key, value.Value)
            {
                case ("HostBuilding", IHostBuilder builder):
                    capture.OnBuilding(builder);
                    break;
                case ("HostBuilt", IHost host):
                    slot.Capture = null;
                    capture.OnBuilt(host);
                    break;
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}

namespace PluginHost.Core.Unloading;

/// <summary>
/// One named clean-up run when a generation retires, after its containers are disposed and before its unload is
/// verified (Tomcat's <c>clearReferences*</c> steps, for collectible contexts): it removes what still references the
/// generation from outside it, and reports each removal.
/// </summary>
public interface IUnloadStep
{
    /// <summary>A short stable name, e.g. <c>timers</c>: logged, and used to turn the step off.</summary>
    string Name { get; }

    void Run(UnloadScope scope, UnloadReport report);
}

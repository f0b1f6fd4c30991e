using System.Reflection;

namespace PluginHost.Core.Unloading.Steps;

/// <summary>
/// Library-specific: an app using Microsoft.Data.Sqlite (directly, through Dapper or EF Core) leaves pooled open
/// connections behind, each holding native SQLite handles. <c>SqliteConnection.ClearAllPools()</c>, called on the app's
/// own copy of the library, is the library's public way to close them (like Tomcat deregistering JDBC drivers).
/// </summary>
public sealed class SqlitePoolsStep : IUnloadStep
{
    private const string Library = "Microsoft.Data.Sqlite";

    public const string StepName = "sqlite-pools";

    public string Name => StepName;

    public void Run(UnloadScope scope, UnloadReport report)
    {
        foreach (var app in scope.Apps)
        {
            var sqlite = app.Context.Assemblies.FirstOrDefault(a => a.GetName().Name == Library);
            if (sqlite?.GetType($"{Library}.SqliteConnection")?.GetMethod("ClearAllPools", BindingFlags.Public | BindingFlags.Static, []) is { } clearAllPools)
            {
                clearAllPools.Invoke(null, null);
                report.Removed(app.Name, $"{Library} connection pools");
            }
        }
    }
}

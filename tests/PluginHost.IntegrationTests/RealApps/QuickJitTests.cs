using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using PluginHost.IntegrationTests.Infrastructure;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>
/// apps[].jit: with <c>quick</c>, every assembly of an EF Core app's generation (the app and its private EF Core, SQLite
/// and DependencyModel assemblies) is loaded asking the JIT not to optimise it, generation after generation; with
/// <c>optimized</c> the packages load as built. Either way every path is served and every retired generation collected.
/// </summary>
[Collection(ManyUnloadsCollection.Name)]
public sealed class QuickJitTests
{
    private const int Generations = 3;

    [Theory]
    [InlineData("quick", true)]
    [InlineData("optimized", false)]
    public async Task Reload_EfCoreApp_PrivateAssembliesCompiledAsConfigured_EveryGenerationServesAndIsCollected(string jit, bool unoptimised)
    {
        var scenario = RealAppScenarios.Get("EfCoreSqlite");
        await using var deployment = await RealAppDeployment.StartAsync(scenario, jit: jit);

        for (var i = 1; i <= Generations; i++)
        {
            if (i > 1)
            {
                await deployment.ReloadAsync($"{scenario.Project}: generation {i}");
            }

            using var browser = deployment.CreateBrowser();
            await scenario.ExerciseAsync(browser, scenario.Mount, deployment.Host.GenerationNumber);
            var assemblies = AppAssemblies(deployment.Host);

            Assert.Contains(assemblies, a => a.Name == "Microsoft.EntityFrameworkCore");
            // The packages are release builds; the test plugin itself asks for unoptimised code when built in Debug.
            Assert.All(assemblies.Where(a => unoptimised || a.Name != scenario.Project), a => Assert.True(a.OptimizerDisabled == unoptimised,
                $"generation {i}: {a.Name} asks for {(a.OptimizerDisabled ? "unoptimised" : "optimised")} code with jit: {jit}"));
        }

        Assert.Empty(await deployment.Host.CollectRetiredAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(deployment.Host.Tracker.Leaked);
    }

    /// <summary>Names and flags only, read outside the async method: nothing of the generation stays referenced.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<(string Name, bool OptimizerDisabled)> AppAssemblies(HostRunner host)
    {
        var context = (AssemblyLoadContext)host.Current.Value!.Apps[0].ContextReference!.Target!;
        return [.. context.Assemblies.Select(a => (a.GetName().Name!, a.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false))];
    }
}

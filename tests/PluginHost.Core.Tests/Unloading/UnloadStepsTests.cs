using System.Reflection;
using PluginHost.Core.Unloading;
using PluginHost.Core.Unloading.Steps;

namespace PluginHost.Core.Tests.Unloading;

/// <summary>
/// Guards the reflection into framework internals: if a framework update moves what a step reads, these fail loudly
/// (the host would otherwise report the step as failing on every retirement, and generations would leak).
/// </summary>
public sealed class UnloadStepsTests
{
    [Fact]
    public void Steps_OnThisFramework_AllFindTheirInternals()
    {
        var sut = UnloadHygiene.Steps([]);

        Assert.Equal(UnloadHygiene.KnownStepNames, sut.Select(s => s.Name));
        var report = new UnloadReport();
        foreach (var step in sut)
        {
            step.Run(new UnloadScope([]), report);
        }

        Assert.Empty(report.Failures);
    }

    [Fact]
    public void Steps_SkippedByName_AreLeftOut()
    {
        var sut = UnloadHygiene.Steps(["timers", "META-DATA-update-handlers", "metadata-update-handlers"]);

        Assert.DoesNotContain(sut, s => s.Name is TimersStep.StepName or MetadataUpdateHandlersStep.StepName);
        Assert.Equal(UnloadHygiene.KnownStepNames.Count - 2, sut.Count);
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Http.Extensions", "Microsoft.AspNetCore.Http.ParameterBindingMethodCache")]
    [InlineData("Microsoft.AspNetCore.Mvc.Abstractions", "ParameterBindingMethodCache")]
    [InlineData("Microsoft.AspNetCore.Mvc.Core", "PropertyHelper")]
    [InlineData("Microsoft.AspNetCore.Http.Abstractions", "RouteValueDictionary")]
    [InlineData("System.ComponentModel.TypeConverter", "TypeDescriptor")]
    public void FrameworkCaches_ScanOfLoadedFramework_FindsTheKnownTypeKeyedCaches(string assembly, string cache)
    {
        Assembly.Load(assembly);
        var sut = new FrameworkCachesStep();

        sut.Scan();

        Assert.Contains(sut.Caches, c => c.StartsWith(assembly + ":", StringComparison.Ordinal) && c.Contains(cache, StringComparison.Ordinal));
    }

    [Fact]
    public void MetadataUpdateHandlers_Scan_FindsSystemTextJsonsHandler()
    {
        Assembly.Load("System.Text.Json");
        var sut = new MetadataUpdateHandlersStep();

        sut.Scan();

        Assert.Contains(sut.Handlers, h => h.StartsWith("System.Text.Json", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("System.Private.CoreLib", "System.Reflection.Metadata.RuntimeTypeMetadataUpdateHandler")]
    [InlineData("Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Mvc.HotReload.HotReloadService")]
    public void MetadataUpdateHandlers_Scan_LeavesOutTheHandlersThatAreUnsafeOutsideHotReload(string assembly, string handler)
    {
        Assert.NotNull(Assembly.Load(assembly).GetType(handler));
        var sut = new MetadataUpdateHandlersStep();

        sut.Scan();

        Assert.DoesNotContain(handler, sut.Handlers);
        Assert.NotEmpty(sut.Handlers);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PluginHost.Abstractions;
using ReportingApi.Aggregation;

namespace ReportingApi;

/// <summary>The ReportingApi sample: a small JSON API over figures taken from its settings.</summary>
public sealed class ReportingApiApp : IPluginApp
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        services.AddSingleton(context);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ReportOptions>().Bind(context.Settings);
        services.AddSingleton<ReportAggregator>();
        services.AddSingleton<ReportService>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ReportingJsonContext.Default));
    }

    /// <inheritdoc />
    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapReportingEndpoints());
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MvcNewtonsoft.Services;
using Newtonsoft.Json.Converters;
using PluginHost.Abstractions;
using PluginHost.TestPlugins;

namespace MvcNewtonsoft;

/// <summary>A to-do API written the way the MVC docs write one: controllers, Newtonsoft.Json, DI, automatic 400s.</summary>
public sealed class MvcNewtonsoftApp : IPluginApp
{
    public void ConfigureServices(IServiceCollection services, PluginContext context)
    {
        services.AddSingleton(context);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ITodoRepository, InMemoryTodoRepository>();
        services.AddScoped<TodoService>();
        services.AddControllers()
            .AddNewtonsoftJson(options => options.SerializerSettings.Converters.Add(new StringEnumConverter()));
    }

    public void Configure(IApplicationBuilder app, PluginContext context)
    {
        app.UseGenerationHeader(context);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapPluginInfo(context, "mvc-newtonsoft");
            endpoints.MapControllers();
        });
    }
}

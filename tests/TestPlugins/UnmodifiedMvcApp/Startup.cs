namespace UnmodifiedMvcApp;

public sealed class Startup(IConfiguration configuration)
{
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddControllers();
        services.Configure<CatalogOptions>(configuration.GetSection("Catalog"));
        services.AddSingleton<Catalog>();
        services.AddHostedService<CatalogSeeder>();
    }

    public void Configure(IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-App-PathBase"] = context.Request.PathBase.Value;
            await next(context);
        });
        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapControllers());
    }
}

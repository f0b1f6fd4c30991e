using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>
/// 'publish VERSION': 'dotnet publish' of every configured app into a hidden folder of the releases root,
/// renamed to releases/VERSION only when every app built and its assembly is present.
/// </summary>
internal static class PublishVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var version = CliApp.VersionArgument("Name of the new release folder, e.g. 1.5.0 or v1.5.0");
        var force = new Option<bool>("--force") { Description = "Replace an existing release of that name (never production)" };
        var command = new Command("publish", "Build every plugin app into releases/<version>/<App>/") { version, force };
        CliAction.Set(command, services, config, async context =>
        {
            var name = VersionName.Require(context.GetValue(version));
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            // A name the host uses in the root (reload.trigger, history.log, production…) is refused before anything is built.
            store.GetVersionPath(name);
            var repository = PluginProjects.FindRepositoryRoot(context.ConfigPath, context.Services.CurrentDirectory);
            var projects = PluginProjects.Resolve(hostConfig, repository);

            using var staging = store.BeginStaging(name, context.GetValue(force));
            foreach (var project in projects)
            {
                await context.Out.WriteLineAsync($"publishing {Path.GetRelativePath(repository, project.ProjectPath)} -> {project.AppFolder}/").ConfigureAwait(false);
                string[] arguments = ["publish", project.ProjectPath, "-c", "Release", "-o", Path.Combine(staging.StagingPath, project.AppFolder), "--nologo"];
                var exitCode = await context.Services.ProcessRunner.RunAsync(DotnetHost, arguments, repository, context.Out, context.CancellationToken).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new CliUserException($"dotnet publish {project.ProjectPath} failed with exit code {exitCode} (output above); release '{name}' was not created");
                }
            }

            var missing = await new FileReleaseValidator().ValidateAsync(hostConfig, staging.StagingPath, context.CancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                throw new CliUserException($"publish of '{name}' is incomplete; release '{name}' was not created", missing);
            }

            staging.Commit();
            await context.Out.WriteLineAsync($"published '{name}' at {staging.FinalPath}; next: 'pluginhost validate {name}' and 'pluginhost promote {name}'").ConfigureAwait(false);
            return CliAction.Ok;
        });
        return command;
    }

    /// <summary>
    /// The dotnet that builds the apps: DOTNET_HOST_PATH when set (the SDK sets it for the tools it runs, e.g. under
    /// 'dotnet run'), else 'dotnet' from the PATH.
    /// </summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}

using System.CommandLine;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>
/// 'publish VERSION': 'dotnet publish' of every configured app (or a copy of its apps[].from folder) into a hidden folder of the releases root,
/// renamed to releases/VERSION only when every app built and its assembly is present.
/// </summary>
internal static class PublishVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var version = CliApp.VersionArgument("Name of the new release folder, e.g. 1.5.0 or v1.5.0");
        var force = new Option<bool>("--force") { Description = "Replace an existing release of that name (never production)" };
        var command = new Command("publish", "Build (apps[].project, plugins/<App>) or copy (apps[].from) every app into releases/<version>/<App>/") { version, force };
        CliAction.Set(command, services, config, async context =>
        {
            var name = VersionName.Require(context.GetValue(version));
            var hostConfig = context.LoadConfig();
            var store = context.OpenStore(hostConfig);
            // A name the host uses in the root (reload.trigger, history.log, production…) is refused before anything is built.
            store.GetVersionPath(name);
            var sources = PluginProjects.Resolve(hostConfig, context.ConfigPath, context.Services.CurrentDirectory);

            using var staging = store.BeginStaging(name, context.GetValue(force));
            foreach (var source in sources)
            {
                var appFolder = Path.Combine(staging.StagingPath, source.AppFolder);
                switch (source)
                {
                    case ProjectSource project:
                        await context.Out.WriteLineAsync($"publishing {Shown(project)} -> {source.AppFolder}/").ConfigureAwait(false);
                        string[] arguments = ["publish", project.ProjectPath, "-c", "Release", "-o", appFolder, "--nologo"];
                        var exitCode = await context.Services.ProcessRunner.RunAsync(DotnetHost, arguments, project.WorkingDirectory, context.Out, context.CancellationToken)
                            .ConfigureAwait(false);
                        if (exitCode != 0)
                        {
                            throw new CliUserException($"dotnet publish {project.ProjectPath} failed with exit code {exitCode} (output above); release '{name}' was not created");
                        }

                        break;
                    case PublishedFolderSource published:
                        await context.Out.WriteLineAsync($"copying {published.Folder} -> {source.AppFolder}/").ConfigureAwait(false);
                        CopyPublishedFolder(published, appFolder, hostConfig.Releases.Root, name);
                        break;
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

    /// <summary>A repository plugin relative to the repository (plugins/WebApp/WebApp.csproj), any other project in full.</summary>
    private static string Shown(ProjectSource project) =>
        Path.GetDirectoryName(project.ProjectPath) == project.WorkingDirectory ? project.ProjectPath : Path.GetRelativePath(project.WorkingDirectory, project.ProjectPath);

    private static void CopyPublishedFolder(PublishedFolderSource published, string appFolder, string releasesRoot, string name)
    {
        try
        {
            PublishedFolderCopy.CopyTo(published.Folder, appFolder, releasesRoot);
        }
        catch (PublishedFolderException exception)
        {
            throw new CliUserException($"app folder '{published.AppFolder}': from: {exception.Message}; release '{name}' was not created");
        }
    }

    /// <summary>
    /// The dotnet that builds the apps: DOTNET_HOST_PATH when set (the SDK sets it for the tools it runs, e.g. under
    /// 'dotnet run'), else 'dotnet' from the PATH.
    /// </summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}

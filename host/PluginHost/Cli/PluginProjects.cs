using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>A plugin project to publish: the app folder inside a release and its .csproj.</summary>
internal sealed record PluginProject(string AppFolder, string ProjectPath);

/// <summary>Finds the repository and the plugin project of every configured app (plugins/&lt;App&gt;/&lt;App&gt;.csproj).</summary>
internal static class PluginProjects
{
    public const string SolutionFile = "PluginHost.sln";

    /// <summary>The nearest folder holding PluginHost.sln above the config file, else above the current directory.</summary>
    public static string FindRepositoryRoot(string configPath, string currentDirectory)
        => FindUpwards(Path.GetDirectoryName(configPath)!) ?? FindUpwards(currentDirectory)
            ?? throw new CliUserException($"cannot find {SolutionFile} above {Path.GetDirectoryName(configPath)} or {currentDirectory}; run publish inside the repository");

    public static IReadOnlyList<PluginProject> Resolve(HostConfig config, string repositoryRoot)
    {
        var projects = new List<PluginProject>();
        foreach (var app in config.Apps)
        {
            var folder = AppFolder(app);
            if (projects.Any(p => p.AppFolder == folder))
            {
                continue;
            }

            var project = Path.Combine(repositoryRoot, "plugins", folder, folder + ".csproj");
            if (!File.Exists(project))
            {
                throw new CliUserException($"app '{app.Name}': project {project} not found (the project is named after the first folder of apps[].assembly '{app.Assembly}')");
            }

            projects.Add(new PluginProject(folder, project));
        }

        return projects;
    }

    private static string AppFolder(AppConfig app)
    {
        var segments = app.Assembly.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var folder = segments.Length > 1 ? segments[0] : Path.GetFileNameWithoutExtension(app.Assembly);
        if (!VersionName.IsValid(folder))
        {
            throw new CliUserException($"app '{app.Name}': cannot derive a project folder from assembly '{app.Assembly}' (expected '<App>/<App>.dll')");
        }

        return folder;
    }

    private static string? FindUpwards(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}

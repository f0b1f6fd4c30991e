using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>Where 'publish' takes one app folder of a release from.</summary>
/// <param name="AppFolder">The app's folder inside the release (the first folder of apps[].assembly).</param>
internal abstract record AppSource(string AppFolder);

/// <summary>A project that 'dotnet publish' builds into the app's folder, run in <paramref name="WorkingDirectory"/>.</summary>
internal sealed record ProjectSource(string AppFolder, string ProjectPath, string WorkingDirectory) : AppSource(AppFolder);

/// <summary>An already-published folder (apps[].from, e.g. a CI artifact) copied as the app's folder.</summary>
internal sealed record PublishedFolderSource(string AppFolder, string Folder) : AppSource(AppFolder);

/// <summary>
/// Finds where every configured app comes from: apps[].project (a project anywhere), apps[].from (a published folder),
/// else this repository's plugins/&lt;App&gt;/&lt;App&gt;.csproj.
/// </summary>
internal static class PluginProjects
{
    public const string SolutionFile = "PluginHost.sln";

    /// <summary>The nearest folder holding PluginHost.sln above the config file, else above the current directory.</summary>
    public static string FindRepositoryRoot(string configPath, string currentDirectory)
        => FindUpwards(Path.GetDirectoryName(configPath)!) ?? FindUpwards(currentDirectory)
            ?? throw new CliUserException($"cannot find {SolutionFile} above {Path.GetDirectoryName(configPath)} or {currentDirectory}; run publish inside the repository, " +
                "or give each app its project (apps[].project) or published folder (apps[].from) in config.yaml");

    /// <summary>
    /// One source per app folder, checked before anything is built: a missing project, a 'from' that is not a folder or
    /// holds a symlink leading out of it, and two apps sharing a folder from different sources are refused here.
    /// The repository is looked for only when an app has neither 'project' nor 'from'.
    /// </summary>
    public static IReadOnlyList<AppSource> Resolve(HostConfig config, string configPath, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? repository = null;
        var sources = new List<(string App, AppSource Source)>();
        foreach (var app in config.Apps)
        {
            var folder = AppFolder(app);
            AppSource source = app switch
            {
                { From: { } from } => new PublishedFolderSource(folder, PublishedFolder(app, from, config, configPath)),
                { Project: { } project } => new ProjectSource(folder, ExternalProject(app, project, configPath), Path.GetDirectoryName(project)!),
                _ => RepositoryProject(app, folder, repository ??= FindRepositoryRoot(configPath, currentDirectory)),
            };

            var same = sources.FirstOrDefault(s => s.Source.AppFolder == folder);
            if (same.Source is null)
            {
                sources.Add((app.Name, source));
            }
            else if (same.Source != source)
            {
                throw new CliUserException($"{configPath}: apps '{same.App}' and '{app.Name}' share the release folder '{folder}' but come from different projects or folders; " +
                    "give them the same 'project'/'from', or different assembly folders");
            }
        }

        return [.. sources.Select(s => s.Source)];
    }

    private static ProjectSource RepositoryProject(AppConfig app, string folder, string repository)
    {
        var project = Path.Combine(repository, "plugins", folder, folder + ".csproj");
        return File.Exists(project)
            ? new ProjectSource(folder, project, repository)
            : throw new CliUserException($"app '{app.Name}': project {project} not found (the project is named after the first folder of apps[].assembly '{app.Assembly}'; " +
                "set apps[].project or apps[].from for an app outside plugins/)");
    }

    private static string ExternalProject(AppConfig app, string project, string configPath) =>
        File.Exists(project)
            ? project
            : throw new CliUserException($"{configPath}: app '{app.Name}': project: {project} not found (apps[].project is relative to config.yaml)");

    private static string PublishedFolder(AppConfig app, string from, HostConfig config, string configPath)
    {
        try
        {
            PublishedFolderCopy.Check(from, config.Releases.Root);
            return from;
        }
        catch (PublishedFolderException exception)
        {
            throw new CliUserException($"{configPath}: app '{app.Name}': from: {exception.Message}");
        }
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

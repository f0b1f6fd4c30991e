using System.CommandLine;

namespace PluginHost.Cli;

/// <summary>Builds the 'pluginhost' command line: the release verbs and 'serve' (also the default when no verb is given).</summary>
public static class CliApp
{
    public const string DefaultConfigFile = "config.yaml";

    public static RootCommand Build(CliServices services)
    {
        ArgumentNullException.ThrowIfNull(services);

        var config = new Option<string>("--config")
        {
            Description = "Path of the host configuration file",
            HelpName = "path",
            DefaultValueFactory = _ => DefaultConfigFile,
            Recursive = true,
        };

        var root = new RootCommand("PluginHost: serves plugin web apps and manages their releases.") { config };
        ServeVerb.ConfigureRoot(root, services, config);
        root.Add(ServeVerb.Create(services, config));
        root.Add(PublishVerb.Create(services, config));
        root.Add(ReleasesVerb.Create(services, config));
        root.Add(ValidateVerb.Create(services, config));
        root.Add(PromoteVerb.Create(services, config));
        root.Add(RollbackVerb.Create(services, config));
        root.Add(ReloadVerb.Create(services, config));
        root.Add(StatusVerb.Create(services, config));
        root.Add(PruneVerb.Create(services, config));
        root.Add(HashPasswordVerb.Create(services, config));
        root.Add(WorkerVerb.Create(services, config));
        return root;
    }

    /// <summary>The version argument shared by publish, validate and promote.</summary>
    internal static Argument<string> VersionArgument(string description) => new("version") { Description = description };

    internal static Option<bool> NoValidateOption() => new("--no-validate")
    {
        Description = "EMERGENCY ONLY: flip without validating the release first",
    };

    internal static Option<bool> ForceBadOption() => new("--force")
    {
        Description = "Flip even if the release is marked bad",
    };
}

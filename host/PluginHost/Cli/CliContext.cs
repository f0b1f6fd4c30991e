using System.CommandLine;
using PluginHost.Core.Configuration;
using PluginHost.Core.Releases;

namespace PluginHost.Cli;

/// <summary>One verb invocation: its parse result, writers, services and the shared helpers the verbs use.</summary>
internal sealed class CliContext(ParseResult parseResult, CliServices services, Option<string> configOption, CancellationToken cancellationToken)
{
    public ParseResult ParseResult { get; } = parseResult;

    public CliServices Services { get; } = services;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TextWriter Out => ParseResult.InvocationConfiguration.Output;

    public TextWriter Error => ParseResult.InvocationConfiguration.Error;

    /// <summary>The --config path, absolute.</summary>
    public string ConfigPath => Path.GetFullPath(ParseResult.GetValue(configOption) ?? CliApp.DefaultConfigFile, Services.CurrentDirectory);

    public T? GetValue<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? GetValue<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    public HostConfig LoadConfig()
    {
        var path = ConfigPath;
        if (!File.Exists(path))
        {
            throw new CliUserException($"config file {path} not found; run from the folder holding config.yaml or pass --config <path>");
        }

        try
        {
            return Services.LoadConfig(path);
        }
        catch (Exception exception) when (exception is not (CliUserException or OperationCanceledException))
        {
            // The loader reports configuration mistakes by throwing; those are the user's to fix.
            throw new CliUserException($"cannot load {path}: {exception.Message}", innerException: exception);
        }
    }

    public ReleaseStore OpenStore(HostConfig config)
        => ReleaseStore.For(config, Services.TimeProvider, Services.UserName);

    /// <summary>Runs the configured validator on an existing version; throws a user error listing every problem.</summary>
    public async Task ValidateOrThrowAsync(HostConfig config, ReleaseStore store, string version, string verb)
    {
        var path = store.RequireExisting(version);
        var errors = await Services.Validator.ValidateAsync(config, path, CancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            var problems = errors.Count == 1 ? "1 problem" : $"{errors.Count} problems";
            throw new CliUserException($"{verb} refused: release '{version}' is not valid ({problems}); production unchanged", errors);
        }
    }

    public void WarnNoValidate(string version)
    {
        Error.WriteLine("##########################################################################");
        Error.WriteLine($"WARNING: --no-validate: release '{version}' was NOT checked before the flip.");
        Error.WriteLine("If it cannot load, the running host keeps serving its last good generation");
        Error.WriteLine("and marks the release bad. Use this only in an emergency.");
        Error.WriteLine("##########################################################################");
    }
}

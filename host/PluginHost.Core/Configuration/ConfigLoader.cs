using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Reads config.yaml into a validated <see cref="HostConfig"/>, or throws a <see cref="ConfigException"/> listing every problem.</summary>
public static class ConfigLoader
{
    /// <summary>Largest config file read: a config is a page or two; anything far bigger is a mistake or an attack.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>Reads and validates the config file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file cannot be read or is invalid.</exception>
    public static HostConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string yaml;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                throw new ConfigException([new ConfigError(path, 0, "", $"the file is larger than {MaxFileBytes / 1024} KB; a config file is far smaller (is it the right file?)")]);
            }

            yaml = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, "", $"cannot read the config file: {exception.Message}")]);
        }

        return Parse(yaml, path);
    }

    /// <summary>
    /// Validates <paramref name="yaml"/> as if read from <paramref name="sourcePath"/>: errors name that file,
    /// and relative paths resolve against its folder.
    /// </summary>
    /// <exception cref="ConfigException">The YAML is malformed or invalid.</exception>
    public static HostConfig Parse(string yaml, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourcePath);
        var errors = new ConfigErrors(sourcePath);
        var root = ReadRootMapping(yaml, errors);
        if (root is null)
        {
            throw new ConfigException(errors.InFileOrder());
        }

        var (config, apps) = new HostConfigReader(sourcePath, errors).Read(root);
        AppsValidator.Validate(apps, config.Admin, errors);
        return errors.Count == 0 ? config : throw new ConfigException(errors.InFileOrder());
    }

    private static YamlMappingNode? ReadRootMapping(string yaml, ConfigErrors errors)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException exception)
        {
            errors.Add((int)exception.Start.Line, "", $"not valid YAML: {SyntaxMessage(exception)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser loses its state on some malformed flow collections (an unclosed '[' or '{' followed by
            // ':') and throws this without a position; the scanner knows how far it read.
            errors.Add((int)scanner.CurrentPosition.Line, "", "not valid YAML: an unclosed '[' or '{' (a flow list or map) before this line; close it, or quote values with ':'");
            return null;
        }

        if (stream.Documents.Count == 0 || YamlValues.IsNull(stream.Documents[0].RootNode))
        {
            errors.Add(1, "", "the file is empty; it needs at least an 'apps' list");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(stream.Documents[1].RootNode, "", "only one YAML document is allowed; remove the extra '---'");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping)
        {
            return mapping;
        }

        errors.Add(root, "", $"expected a map of sections (server, releases, reload, admin, logging, apps), found {YamlValues.Describe(root)}");
        return null;
    }

    /// <summary>YamlDotNet prefixes its message with "(Line: …) - (Line: …): "; the line is reported separately.</summary>
    private static string SyntaxMessage(YamlException exception)
    {
        var message = exception.Message;
        var marksEnd = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && marksEnd >= 0 ? message[(marksEnd + 3)..] : message;
    }
}

using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>
/// Reads <c>server.certificate</c>: one map (<c>path</c>, <c>keyPath</c>, <c>passwordEnv</c>, <c>hosts</c>) or a list of
/// them for several sites (SNI). Only the shape is checked here: the files are read when the host starts serving, so the
/// CLI verbs, which never serve, do not need to read a private key.
/// </summary>
internal sealed class CertificatesReader(string sourcePath, string folder)
{
    private const string Key = "certificate";

    public IReadOnlyList<CertificateConfig> Read(YamlSection server)
    {
        if (server.Find(Key) is not { } node)
        {
            return [];
        }

        List<(YamlMappingNode Mapping, string Key)> entries = node switch
        {
            YamlMappingNode mapping => [(mapping, server.KeyPath(Key))],
            YamlSequenceNode sequence => ReadItems(sequence, server.KeyPath(Key), server.Errors),
            _ => Report(node, server.KeyPath(Key), server.Errors),
        };
        var read = entries.Select(entry => YamlSection.Read(entry.Mapping, entry.Key, server.Errors, ReadOne)).ToList();
        var certificates = read.Select(r => r.Certificate).OfType<CertificateConfig>().ToList();
        CheckHosts(certificates, server.Errors);
        // An entry whose hosts were written but wrong was reported already: it is not a second default.
        CheckOneDefault([.. read.Where(r => r.Certificate is not null && !r.HostsWritten).Select(r => r.Certificate!)], server.Errors);
        return certificates;
    }

    private static List<(YamlMappingNode Mapping, string Key)> ReadItems(YamlSequenceNode sequence, string key, ConfigErrors errors)
    {
        if (sequence.Children.Count == 0)
        {
            errors.Add(sequence, key, "is an empty list; give one certificate (a map with path) or leave the key out");
        }

        var items = new List<(YamlMappingNode, string)>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode item)
            {
                items.Add((item, $"{key}[{i}]"));
            }
            else
            {
                errors.Add(sequence.Children[i], $"{key}[{i}]", $"expected a map with path (and keyPath, passwordEnv, hosts), found {YamlValues.Describe(sequence.Children[i])}");
            }
        }

        return items;
    }

    private static List<(YamlMappingNode, string)> Report(YamlNode node, string key, ConfigErrors errors)
    {
        errors.Add(node, key, $"expected a map with path (and keyPath, passwordEnv, hosts) or a list of them, found {YamlValues.Describe(node)}");
        return [];
    }

    private (CertificateConfig? Certificate, bool HostsWritten) ReadOne(YamlSection certificate)
    {
        var hostsWritten = certificate.Find("hosts") is not null;
        var path = certificate.Required("path", ConfigValues.ResolvedPath(folder));
        var keyPath = certificate.Optional("keyPath", ConfigValues.ResolvedPath(folder));
        var passwordEnv = certificate.Optional<string>("passwordEnv", EnvironmentVariableName);
        var hosts = certificate.Get("hosts", YamlValues.ListOf(HostName), []);
        if (path is null)
        {
            return (null, hostsWritten);
        }

        return (new CertificateConfig
        {
            Path = path,
            KeyPath = keyPath,
            PasswordEnv = passwordEnv,
            Hosts = [.. hosts.Select(h => h.ToLowerInvariant())],
            Source = new CertificateSource(sourcePath, certificate.Path, certificate.LineOf("path"),
                certificate.Find("keyPath") is null ? 0 : certificate.LineOf("keyPath"),
                certificate.Find("passwordEnv") is null ? 0 : certificate.LineOf("passwordEnv")),
        }, hostsWritten);
    }

    /// <summary>Each host name once across the list.</summary>
    private static void CheckHosts(List<CertificateConfig> certificates, ConfigErrors errors)
    {
        var seen = new Dictionary<string, CertificateConfig>(StringComparer.Ordinal);
        foreach (var certificate in certificates)
        {
            foreach (var host in certificate.Hosts)
            {
                if (!seen.TryAdd(host, certificate))
                {
                    errors.Add(certificate.Source.PathLine, $"{certificate.Source.Key}.hosts",
                        $"'{host}' is also listed by {seen[host].Source.Key}; each host name needs exactly one certificate");
                }
            }
        }
    }

    /// <summary>At most one certificate without hosts: the default for names no other certificate lists.</summary>
    private static void CheckOneDefault(List<CertificateConfig> withoutHosts, ConfigErrors errors)
    {
        foreach (var extra in withoutHosts.Skip(1))
        {
            errors.Add(extra.Source.PathLine, $"{extra.Source.Key}.hosts",
                "only one certificate may leave out hosts (the default for names no other certificate lists); give this one its host names");
        }
    }

    /// <summary>A DNS name as a client sends it in SNI (letters, digits, '-', '.'), optionally starting with "*." (one label).</summary>
    private static bool HostName(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        var name = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        var labels = name.Split('.');
        if (labels.All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
                && label[0] != '-' && label[^1] != '-'))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' is not a host name (e.g. example.org or *.example.org; no scheme, port or path)");
        return false;
    }

    private static bool EnvironmentVariableName(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!YamlValues.NonEmptyText(node, key, errors, out value))
        {
            return false;
        }

        if (value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(value[0]))
        {
            return true;
        }

        errors.Add(node, key, $"'{value}' is not an environment variable name: give the variable's name (letters, digits, '_'), never the password itself");
        return false;
    }
}

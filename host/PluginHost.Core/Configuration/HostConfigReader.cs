using PluginHost.Core.Unloading;
using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>An app as read, with where it was written, for checks that compare apps with each other.</summary>
internal sealed record LocatedApp(AppConfig App, string Key, int NameLine, int MountLine);

/// <summary>Maps the root of config.yaml onto <see cref="HostConfig"/>, one section at a time, collecting errors.</summary>
internal sealed class HostConfigReader
{
    private readonly string _sourcePath;
    private readonly string _folder;
    private readonly ConfigErrors _errors;

    public HostConfigReader(string sourcePath, ConfigErrors errors)
    {
        _sourcePath = Path.GetFullPath(sourcePath);
        _folder = Path.GetDirectoryName(_sourcePath)!;
        _errors = errors;
    }

    public (HostConfig Config, IReadOnlyList<LocatedApp> Apps) Read(YamlMappingNode root) =>
        YamlSection.Read(root, "", _errors, ReadRoot);

    private (HostConfig, IReadOnlyList<LocatedApp>) ReadRoot(YamlSection root)
    {
        var server = root.Section("server", ReadServer, new ServerConfig());
        var config = new HostConfig
        {
            SourcePath = _sourcePath,
            Server = server,
            Releases = root.Section("releases", ReadReleases, ReadReleasesDefaults()),
            Reload = root.Section("reload", ReadReload, ReadReloadDefaults()),
            Admin = root.Section("admin", admin => ReadAdmin(admin, server.Certificates.Count > 0), new AdminConfig()),
            Logging = root.Section("logging", ReadLogging, new LoggingConfig()),
            State = root.Section("state", ReadState, ReadStateDefaults()),
            Workers = root.Section("workers", ReadWorkers, new WorkersConfig()),
            Canary = root.Section("canary", ReadCanary, new CanaryConfig()),
        };
        var apps = new AppConfigReader(_folder).ReadAll(root);
        return (config with { Apps = [.. apps.Select(located => located.App)] }, apps);
    }

    private ServerConfig ReadServer(YamlSection server)
    {
        var defaults = new ServerConfig();
        var urls = server.Get("urls", ConfigValues.ListenUrls, defaults.Urls);
        if (urls.Count == 0)
        {
            server.Errors.Add(server.LineOf("urls"), server.KeyPath("urls"), "needs at least one URL to listen on");
        }

        var certificates = new CertificatesReader(_sourcePath, _folder).Read(server);
        if (certificates.Count == 0)
        {
            RequireCertificateFor(server, "urls", urls);
        }

        return new ServerConfig
        {
            Urls = urls,
            ShutdownTimeout = server.Get("shutdownTimeout", YamlValues.Duration, defaults.ShutdownTimeout),
            Certificates = certificates,
            Http3 = server.Get("http3", YamlValues.Bool, defaults.Http3),
            ForwardedHeaders = server.Section("forwardedHeaders", ReadForwardedHeaders, defaults.ForwardedHeaders),
        };
    }

    private static ForwardedHeadersConfig ReadForwardedHeaders(YamlSection forwarded) =>
        new() { KnownProxies = forwarded.Get("knownProxies", YamlValues.ListOf(ConfigValues.NetworkRule), new ForwardedHeadersConfig().KnownProxies) };

    /// <summary>An https URL needs a certificate: reported at the URLs' key when server.certificate is missing.</summary>
    private static void RequireCertificateFor(YamlSection section, string key, IReadOnlyList<string> urls)
    {
        foreach (var url in urls.Where(ListenUrl.IsHttps))
        {
            section.Errors.Add(section.LineOf(key), section.KeyPath(key),
                $"'{url}' is an https URL but there is no certificate: add server.certificate with path (and keyPath for a PEM key)");
        }
    }

    private ReleasesConfig ReadReleasesDefaults() => new() { Root = Resolve(new ReleasesConfig().Root) };

    private ReleasesConfig ReadReleases(YamlSection releases)
    {
        var defaults = ReadReleasesDefaults();
        return new ReleasesConfig
        {
            Root = releases.Get("root", ConfigValues.ResolvedPath(_folder), defaults.Root),
            Production = releases.Get("production", ConfigValues.PlainName, defaults.Production),
        };
    }

    private ReloadConfig ReadReloadDefaults() => new() { Trigger = Resolve(new ReloadConfig().Trigger) };

    private ReloadConfig ReadReload(YamlSection reload)
    {
        var defaults = ReadReloadDefaults();
        return new ReloadConfig
        {
            Trigger = reload.Get("trigger", ConfigValues.ResolvedPath(_folder), defaults.Trigger),
            PollInterval = reload.Get("pollInterval", YamlValues.Duration, defaults.PollInterval),
            Debounce = reload.Get("debounce", YamlValues.Duration, defaults.Debounce),
            DrainTimeout = reload.Get("drainTimeout", YamlValues.Duration, defaults.DrainTimeout),
            LongLived = Enum.Parse<LongLivedMode>(reload.Get("longLived", ConfigValues.OneOf(["reconnect", "keep"]), "reconnect"), ignoreCase: true),
            LongLivedMaxAge = reload.Get("longLivedMaxAge", YamlValues.Duration, defaults.LongLivedMaxAge),
            UnloadTimeout = reload.Get("unloadTimeout", YamlValues.Duration, defaults.UnloadTimeout),
            WatchConfig = reload.Get("watchConfig", YamlValues.Bool, defaults.WatchConfig),
            WatchFiles = reload.Get("watchFiles", YamlValues.Bool, defaults.WatchFiles),
            LeakDiagnostics = reload.Get("leakDiagnostics", YamlValues.Bool, defaults.LeakDiagnostics),
            KeepPrevious = reload.Get("keepPrevious", YamlValues.Bool, defaults.KeepPrevious),
            SkipUnloadSteps = reload.Get("skipUnloadSteps", YamlValues.ListOf(ConfigValues.OneOf(UnloadHygiene.KnownStepNames)), defaults.SkipUnloadSteps),
        };
    }

    private static CanaryConfig ReadCanary(YamlSection canary)
    {
        var defaults = new CanaryConfig();
        return new CanaryConfig
        {
            MaxErrorRate = canary.Get<double?>("maxErrorRate", ErrorRate, null),
            MinRequests = canary.Get("minRequests", YamlValues.WholeNumber(1, int.MaxValue), defaults.MinRequests),
            OnRestart = Enum.Parse<CanaryRestart>(canary.Get("onRestart", ConfigValues.OneOf(["resume", "drop"]), "resume"), ignoreCase: true),
        };
    }

    private static bool ErrorRate(YamlNode node, string key, ConfigErrors errors, out double? value)
    {
        value = null;
        if (!YamlValues.Text(node, key, errors, out var text))
        {
            return false;
        }

        if (Percentage.TryParse(text, out var percent) && percent is > 0 and <= 100)
        {
            value = percent;
            return true;
        }

        errors.Add(node, key, $"'{text}' is not a percentage above 0 and at most 100 (e.g. 5%)");
        return false;
    }

    private StateConfig ReadStateDefaults() => new() { Root = Resolve(new StateConfig().Root) };

    private StateConfig ReadState(YamlSection state) =>
        new() { Root = state.Get("root", ConfigValues.ResolvedPath(_folder), ReadStateDefaults().Root) };

    private WorkersConfig ReadWorkers(YamlSection workers)
    {
        var defaults = new WorkersConfig();
        return new WorkersConfig
        {
            RuntimeDirectory = workers.Optional<string>("runtimeDirectory", ConfigValues.ResolvedPath(_folder)),
            ProbeInterval = workers.Get("probeInterval", YamlValues.Duration, defaults.ProbeInterval),
            ProbeTimeout = workers.Get("probeTimeout", YamlValues.Duration, defaults.ProbeTimeout),
            MaxRestartDelay = workers.Get("maxRestartDelay", YamlValues.Duration, defaults.MaxRestartDelay),
        };
    }

    private static AdminConfig ReadAdmin(YamlSection admin, bool hasCertificate)
    {
        var defaults = new AdminConfig();
        var urls = admin.Get("urls", ConfigValues.ListenUrls, defaults.Urls);
        if (!hasCertificate)
        {
            RequireCertificateFor(admin, "urls", urls);
        }

        return new AdminConfig
        {
            Path = admin.Get("path", AdminPath, defaults.Path),
            Allow = admin.Get("allow", YamlValues.ListOf(ConfigValues.NetworkRule), defaults.Allow),
            Urls = urls,
            Token = ReadToken(admin),
        };
    }

    private static string? ReadToken(YamlSection admin)
    {
        var token = admin.Optional<string>("token", YamlValues.NonEmptyText);
        var tokenEnv = admin.Optional<string>("tokenEnv", YamlValues.NonEmptyText);
        if (tokenEnv is null)
        {
            return token;
        }

        if (token is not null)
        {
            admin.Errors.Add(admin.LineOf("tokenEnv"), admin.KeyPath("tokenEnv"), "give either token or tokenEnv, not both");
            return token;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(tokenEnv);
        if (string.IsNullOrEmpty(fromEnvironment))
        {
            admin.Errors.Add(admin.LineOf("tokenEnv"), admin.KeyPath("tokenEnv"),
                $"environment variable '{tokenEnv}' is not set or empty; set it or remove tokenEnv");
        }

        return fromEnvironment;
    }

    private LoggingConfig ReadLogging(YamlSection logging)
    {
        var defaults = new LoggingConfig();
        return new LoggingConfig
        {
            MinimumLevel = logging.Get("minimumLevel", ConfigValues.OneOf(ConfigValues.LogLevels), defaults.MinimumLevel),
            File = logging.Optional("file", ConfigValues.ResolvedPath(_folder)),
            RequestLog = logging.Get("requestLog", YamlValues.Bool, defaults.RequestLog),
            BufferSize = logging.Get("bufferSize", YamlValues.WholeNumber(1, LoggingConfig.MaxBufferSize), defaults.BufferSize),
        };
    }

    private static bool AdminPath(YamlNode node, string key, ConfigErrors errors, out string value)
    {
        if (!ConfigValues.Mount(node, key, errors, out value))
        {
            return false;
        }

        if (value != MountPath.Root)
        {
            return true;
        }

        errors.Add(node, key, "must not be '/'; the admin surface needs its own prefix such as /_pluginhost");
        return false;
    }

    private string Resolve(string path) => Path.GetFullPath(path, _folder);
}

using YamlDotNet.RepresentationModel;

namespace PluginHost.Core.Configuration;

/// <summary>Maps the <c>apps</c> list of config.yaml onto <see cref="AppConfig"/>s, collecting errors.</summary>
internal sealed class AppConfigReader(string configFolder)
{
    private const string AppsKey = "apps";

    /// <summary>Reads every app that has a valid name and mount; the others leave errors behind.</summary>
    public IReadOnlyList<LocatedApp> ReadAll(YamlSection root)
    {
        var errors = root.Errors;
        switch (root.Find(AppsKey))
        {
            case null:
                errors.Add(root.LineOf(AppsKey), AppsKey, "missing required key 'apps'; list at least one app with name, mount and assembly");
                return [];
            case YamlSequenceNode { Children.Count: 0 } empty:
                errors.Add(empty, AppsKey, "is empty; list at least one app with name, mount and assembly");
                return [];
            case YamlSequenceNode sequence:
                return [.. sequence.Children.Select((item, index) => ReadApp(item, $"{AppsKey}[{index}]", errors)).OfType<LocatedApp>()];
            case var other:
                errors.Add(other, AppsKey, $"expected a list of apps, found {YamlValues.Describe(other)}");
                return [];
        }
    }

    private LocatedApp? ReadApp(YamlNode item, string key, ConfigErrors errors)
    {
        if (item is not YamlMappingNode mapping)
        {
            errors.Add(item, key, $"expected an app (a map with name, mount and assembly), found {YamlValues.Describe(item)}");
            return null;
        }

        return YamlSection.Read(mapping, key, errors, ReadApp);
    }

    private LocatedApp? ReadApp(YamlSection app)
    {
        var defaults = new AppConfig { Name = "", Mount = "", Assembly = "" };
        var name = app.Required<string>("name", ConfigValues.AppName);
        var mount = app.Required<string>("mount", ConfigValues.Mount);
        var assembly = app.Required<string>("assembly", ConfigValues.ReleaseRelativePath);
        AppKind? kind = app.Optional<string>("kind", ConfigValues.OneOf(["plugin", "aspnetcore"])) is { } kindName
            ? Enum.Parse<AppKind>(kindName, ignoreCase: true)
            : null;
        var jit = app.Optional<string>("jit", ConfigValues.OneOf(["quick", "optimized"])) is { } jitName
            ? Enum.Parse<AppJit>(jitName, ignoreCase: true)
            : defaults.Jit;
        var hosts = app.Get("hosts", YamlValues.ListOf(YamlValues.NonEmptyText), defaults.Hosts);
        var passAuthorization = app.Get("passAuthorization", YamlValues.Bool, defaults.PassAuthorization);
        var warmup = app.Get("warmup", YamlValues.ListOf(ConfigValues.RequestPath), defaults.Warmup);
        var warmupTimeout = app.Get("warmupTimeout", YamlValues.Duration, defaults.WarmupTimeout);
        var stopTimeout = app.Get("stopTimeout", YamlValues.Duration, defaults.StopTimeout);
        var settings = app.Get("settings", SettingsFlattener.Read, defaults.Settings);
        var staticFolder = app.Optional<string>("static", ConfigValues.ReleaseRelativePath);
        var maxRequestBodySize = app.Get("maxRequestBodySize", YamlValues.ByteSize, defaults.MaxRequestBodySize);
        var requestTimeout = app.Get("requestTimeout", YamlValues.Duration, defaults.RequestTimeout);
        int? maxConcurrentRequests = app.Get("maxConcurrentRequests", YamlValues.PositiveCount, 0) is > 0 and var limit ? limit : null;
        var auth = app.Section("auth", ReadAuth, null);
        var isolation = app.Optional<string>("isolation", ConfigValues.OneOf(["inProcess", "process"])) is { } isolationName
            ? Enum.Parse<AppIsolation>(isolationName, ignoreCase: true)
            : defaults.Isolation;
        var recycle = app.Section("recycle", ReadRecycle, null);
        long? memoryLimit = app.Get("memoryLimit", YamlValues.ByteSize, 0L) is > 0 and var limitBytes ? limitBytes : null;
        foreach (var key in new[] { "recycle", "memoryLimit" }.Where(k => isolation != AppIsolation.Process && app.Find(k) is not null))
        {
            app.Errors.Add(app.LineOf(key), app.KeyPath(key), "only applies to an app with isolation: process (a worker process of its own)");
        }

        var (project, from) = ReadPublishSource(app);
        if (name is null || mount is null)
        {
            return null;
        }

        // A bad assembly is already reported, so this config is never returned; the app still
        // takes part in the checks across apps, so those errors show up in the same run.
        var config = new AppConfig
        {
            Name = name,
            Mount = mount,
            Assembly = assembly ?? "",
            Kind = kind,
            Jit = jit,
            Hosts = hosts,
            PassAuthorization = passAuthorization,
            Warmup = warmup,
            WarmupTimeout = warmupTimeout,
            StopTimeout = stopTimeout,
            Settings = settings,
            Static = staticFolder,
            MaxRequestBodySize = maxRequestBodySize,
            RequestTimeout = requestTimeout,
            MaxConcurrentRequests = maxConcurrentRequests,
            Auth = auth,
            Isolation = isolation,
            Recycle = recycle,
            MemoryLimit = memoryLimit,
            Project = project,
            From = from,
        };
        return new LocatedApp(config, app.Path, app.LineOf("name"), app.LineOf("mount"));
    }

    /// <summary>Where 'publish' takes the app from: a project to build, or a published folder to copy (never both).</summary>
    private (string? Project, string? From) ReadPublishSource(YamlSection app)
    {
        var project = app.Optional<string>("project", ConfigValues.ProjectFile(configFolder));
        var from = app.Optional<string>("from", ConfigValues.ResolvedPath(configFolder));
        if (app.Find("project") is not null && app.Find("from") is not null)
        {
            app.Errors.Add(app.LineOf("from"), app.KeyPath("from"),
                "cannot be used with 'project': publish either builds the app from a project or copies an already-published folder; keep one of them");
        }

        return (project, from);
    }

    private static RecycleConfig? ReadRecycle(YamlSection recycle)
    {
        long? maxMemory = recycle.Get("maxMemory", YamlValues.ByteSize, 0L) is > 0 and var bytes ? bytes : null;
        long? maxRequests = recycle.Get<int>("maxRequests", YamlValues.PositiveCount, 0) is > 0 and var count ? count : null;
        return new RecycleConfig(maxMemory, maxRequests);
    }

    private AuthConfig? ReadAuth(YamlSection auth)
    {
        var defaults = new AuthConfig { Scheme = "" };
        var scheme = auth.Required("scheme", ConfigValues.OneOf(ConfigValues.AuthSchemes));
        var header = auth.Get("header", YamlValues.NonEmptyText, defaults.Header);
        var usersFile = auth.Required("usersFile", ConfigValues.ResolvedPath(configFolder));
        var realm = auth.Get("realm", YamlValues.NonEmptyText, defaults.Realm);
        var maxFailures = auth.Get("maxFailures", YamlValues.PositiveCount, defaults.MaxFailures);
        var failureWindow = auth.Get("failureWindow", YamlValues.Duration, defaults.FailureWindow);
        var keySecretEnv = auth.Optional<string>("keySecretEnv", YamlValues.NonEmptyText);
        if (keySecretEnv is not null && scheme is not null && scheme != "apiKey")
        {
            auth.Errors.Add(auth.LineOf("keySecretEnv"), auth.KeyPath("keySecretEnv"), "only applies to scheme apiKey (passwords are salted PBKDF2 hashes)");
        }

        return scheme is null
            ? null
            : new AuthConfig
            {
                Scheme = scheme, Header = header, UsersFile = usersFile, Realm = realm, MaxFailures = maxFailures, FailureWindow = failureWindow,
                KeySecretEnv = keySecretEnv,
            };
    }
}

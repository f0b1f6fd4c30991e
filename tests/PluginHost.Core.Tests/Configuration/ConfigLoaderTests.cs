using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string MinimalApps = """
        apps:
          - name: Api
            mount: /api
            assembly: Api/Api.dll
        """;

    [Fact]
    public void Parse_EveryKeySet_MapsEveryKey()
    {
        const string yaml = """
            server:
              urls: [http://127.0.0.1:8080, https://*:8443]
              certificate:
                path: tls/site.pem
              http3: true
              forwardedHeaders:
                knownProxies: [127.0.0.1]
            releases:
              root: /srv/releases
              production: live
            reload:
              trigger: triggers/reload
              pollInterval: 2s
              debounce: 250ms
              drainTimeout: 1m
              unloadTimeout: 00:00:15
              watchConfig: false
              watchFiles: false
            admin:
              path: /_admin/
              allow: [10.0.0.0/8, 192.168.1.5, ::1]
              urls: http://127.0.0.1:9000
              token: s3cret
            logging:
              minimumLevel: warning
              file: logs/host-.log
              requestLog: false
              bufferSize: 2500
            apps:
              - name: Api
                mount: /api/v1/
                assembly: Api/Api.dll
                hosts: [api.example.com, API.example.org]
                passAuthorization: true
                warmup: [/version, /health]
                warmupTimeout: 5s
                settings:
                  title: Report
                static: wwwroot
                maxRequestBodySize: 10MB
                requestTimeout: 30s
                auth:
                  scheme: ApiKey
                  header: X-Key
                  usersFile: keys.txt
                  realm: Reports
            """;

        var sut = ConfigLoader.Parse(yaml, ConfigAssert.ConfigPath);

        Assert.Equal(ConfigAssert.ConfigPath, sut.SourcePath);
        Assert.Equal(["http://127.0.0.1:8080", "https://*:8443"], sut.Server.Urls);
        Assert.Equal("/etc/pluginhost/tls/site.pem", Assert.Single(sut.Server.Certificates).Path);
        Assert.True(sut.Server.Http3);
        Assert.Equal(["127.0.0.1"], sut.Server.ForwardedHeaders.KnownProxies);
        Assert.Equal(new ReleasesConfig { Root = "/srv/releases", Production = "live" }, sut.Releases);
        Assert.Equal("/srv/releases/live", sut.ProductionLink);
        Assert.Equal(new ReloadConfig
        {
            Trigger = "/etc/pluginhost/triggers/reload",
            PollInterval = TimeSpan.FromSeconds(2),
            Debounce = TimeSpan.FromMilliseconds(250),
            DrainTimeout = TimeSpan.FromMinutes(1),
            UnloadTimeout = TimeSpan.FromSeconds(15),
            WatchConfig = false,
            WatchFiles = false,
        }, sut.Reload);
        Assert.Equal("/_admin", sut.Admin.Path);
        Assert.Equal(["10.0.0.0/8", "192.168.1.5", "::1"], sut.Admin.Allow);
        Assert.Equal(["http://127.0.0.1:9000"], sut.Admin.Urls);
        Assert.Equal("s3cret", sut.Admin.Token);
        Assert.Equal(new LoggingConfig { MinimumLevel = "Warning", File = "/etc/pluginhost/logs/host-.log", RequestLog = false, BufferSize = 2500 }, sut.Logging);
        var app = Assert.Single(sut.Apps);
        Assert.Equal("Api", app.Name);
        Assert.Equal("/api/v1", app.Mount);
        Assert.Equal("Api/Api.dll", app.Assembly);
        Assert.Equal(["api.example.com", "API.example.org"], app.Hosts);
        Assert.True(app.PassAuthorization);
        Assert.Equal(["/version", "/health"], app.Warmup);
        Assert.Equal(TimeSpan.FromSeconds(5), app.WarmupTimeout);
        Assert.Equal(new Dictionary<string, string?> { ["title"] = "Report" }, app.Settings);
        Assert.Equal("wwwroot", app.Static);
        Assert.Equal(10L * 1024 * 1024, app.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(30), app.RequestTimeout);
        Assert.Equal(new AuthConfig { Scheme = "apiKey", Header = "X-Key", UsersFile = "/etc/pluginhost/keys.txt", Realm = "Reports" }, app.Auth);
    }

    [Fact]
    public void Parse_OnlyApps_UsesRecordDefaults()
    {
        var sut = ConfigLoader.Parse(MinimalApps, ConfigAssert.ConfigPath);

        Assert.Equal(new ServerConfig().Urls, sut.Server.Urls);
        Assert.Equal("/etc/pluginhost/releases", sut.Releases.Root);
        Assert.Equal("production", sut.Releases.Production);
        Assert.Equal(new ReloadConfig { Trigger = "/etc/pluginhost/releases/reload.trigger" }, sut.Reload);
        Assert.Equal(new AdminConfig().Path, sut.Admin.Path);
        Assert.Equal(new AdminConfig().Allow, sut.Admin.Allow);
        Assert.Empty(sut.Admin.Urls);
        Assert.Null(sut.Admin.Token);
        Assert.Equal(new LoggingConfig(), sut.Logging);
        var app = Assert.Single(sut.Apps);
        var defaults = new AppConfig { Name = "", Mount = "", Assembly = "" };
        Assert.Empty(app.Hosts);
        Assert.False(app.PassAuthorization);
        Assert.Empty(app.Warmup);
        Assert.Empty(app.Settings);
        Assert.Null(app.Static);
        Assert.Equal(defaults.MaxRequestBodySize, app.MaxRequestBodySize);
        Assert.Equal(defaults.RequestTimeout, app.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), app.WarmupTimeout);
        Assert.Null(app.Auth);
    }

    [Fact]
    public void Parse_NullValues_UseDefaults()
    {
        var yaml = """
            server:
            reload:
              pollInterval: ~
            logging:
              file: null
            """ + "\n" + MinimalApps;

        var sut = ConfigLoader.Parse(yaml, ConfigAssert.ConfigPath);

        Assert.Equal(new ServerConfig().Urls, sut.Server.Urls);
        Assert.Equal(new ReloadConfig().PollInterval, sut.Reload.PollInterval);
        Assert.Null(sut.Logging.File);
    }

    [Fact]
    public void Parse_RelativePaths_ResolveAgainstConfigFolder()
    {
        var yaml = """
            releases:
              root: ../shared/releases
            reload:
              trigger: ./reload.trigger
            logging:
              file: logs/host.log
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                auth:
                  scheme: basic
                  usersFile: users.txt
            """;

        var sut = ConfigLoader.Parse(yaml, "/opt/host/conf/config.yaml");

        Assert.Equal("/opt/host/shared/releases", sut.Releases.Root);
        Assert.Equal("/opt/host/shared/releases/production", sut.ProductionLink);
        Assert.Equal("/opt/host/conf/reload.trigger", sut.Reload.Trigger);
        Assert.Equal("/opt/host/conf/logs/host.log", sut.Logging.File);
        Assert.Equal("/opt/host/conf/users.txt", sut.Apps[0].Auth!.UsersFile);
        Assert.Equal("Api/Api.dll", sut.Apps[0].Assembly);
    }

    [Fact]
    public void Parse_RelativeSourcePath_SourcePathIsAbsolute()
    {
        var sut = ConfigLoader.Parse(MinimalApps, "config.yaml");

        Assert.Equal(Path.GetFullPath("config.yaml"), sut.SourcePath);
        Assert.Equal(Path.GetFullPath("releases"), sut.Releases.Root);
    }

    [Fact]
    public void Parse_UrlsAsSemicolonString_SplitsUrls()
    {
        var yaml = "server:\n  urls: http://127.0.0.1:8080; http://[::1]:8080\n" + MinimalApps;

        var sut = ConfigLoader.Parse(yaml, ConfigAssert.ConfigPath);

        Assert.Equal(["http://127.0.0.1:8080", "http://[::1]:8080"], sut.Server.Urls);
    }

    [Fact]
    public void Parse_TokenEnv_ReadsTokenFromEnvironment()
    {
        var variable = "PLUGINHOST_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var sut = ConfigLoader.Parse($"admin:\n  tokenEnv: {variable}\n" + MinimalApps, ConfigAssert.ConfigPath);

            Assert.Equal("from-env", sut.Admin.Token);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parse_SameMountOnDifferentHosts_IsAllowed()
    {
        const string yaml = """
            apps:
              - name: A
                mount: /
                assembly: A/A.dll
                hosts: [a.example]
              - name: B
                mount: /
                assembly: B/B.dll
                hosts: [b.example]
              - name: Fallback
                mount: /
                assembly: C/C.dll
            """;

        var sut = ConfigLoader.Parse(yaml, ConfigAssert.ConfigPath);

        Assert.Equal(["A", "B", "Fallback"], sut.Apps.Select(app => app.Name));
    }

    [Fact]
    public void Parse_NestedSettings_FlattensToConfigurationKeys()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                settings:
                  title: Report
                  figures: [3, 5]
                  database:
                    host: db.local
                    port: 5432
                    replicas:
                      - name: r1
                        weight: 2
                      - r2
                  emptyMap: {}
                  emptyList: []
                  nothing: ~
                  quotedNull: "null"
            """;

        var sut = ConfigLoader.Parse(yaml, ConfigAssert.ConfigPath).Apps[0].Settings;

        Assert.Equal(new Dictionary<string, string?>
        {
            ["title"] = "Report",
            ["figures:0"] = "3",
            ["figures:1"] = "5",
            ["database:host"] = "db.local",
            ["database:port"] = "5432",
            ["database:replicas:0:name"] = "r1",
            ["database:replicas:0:weight"] = "2",
            ["database:replicas:1"] = "r2",
            ["emptyMap"] = null,
            ["emptyList"] = null,
            ["nothing"] = null,
            ["quotedNull"] = "null",
        }, sut);
        Assert.Equal("db.local", sut["DATABASE:HOST"]);
    }

    [Fact]
    public void Load_MissingFile_ThrowsConfigExceptionNamingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.yaml");

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(path, error.File);
        Assert.StartsWith(path + ": cannot read the config file", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOnDisk_ParsesItWithAbsoluteSourcePath()
    {
        var folder = Directory.CreateTempSubdirectory("pluginhost-config-");
        try
        {
            var path = Path.Combine(folder.FullName, "config.yaml");
            File.WriteAllText(path, MinimalApps);

            var sut = ConfigLoader.Load(path);

            Assert.Equal(path, sut.SourcePath);
            Assert.Equal(Path.Combine(folder.FullName, "releases"), sut.Releases.Root);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_RepositoryConfig_ServesTheSampleApps()
    {
        var path = Path.Combine(FindRepositoryRoot(), "config.yaml");

        var sut = ConfigLoader.Load(path);

        Assert.Equal(["ReportingApi", "WebApp", "WeatherService"], sut.Apps.Select(app => app.Name));
        Assert.Equal(["/api/v1", "/", "/weather"], sut.Apps.Select(app => app.Mount));
        Assert.Equal("3", sut.Apps[0].Settings["figures:0"]);
        Assert.Equal("7", sut.Apps[2].Settings["Forecast:Days"]);
        Assert.Null(sut.Apps[2].Kind);
        Assert.Equal(["127.0.0.0/8", "::1"], sut.Admin.Allow);
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PluginHost.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains PluginHost.sln.");
    }
}

using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

public sealed class ConfigLoaderErrorTests
{
    [Fact]
    public void Parse_MalformedYaml_ReportsSyntaxErrorWithLine()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: [/api
            """;

        var error = SingleError(yaml, 4, "", "not valid YAML");

        Assert.Equal(ConfigPath, error.File);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_ReportsSyntaxError()
    {
        const string yaml = """
            apps:
              - name: Api
                name: Other
            """;

        SingleError(yaml, 3, "", "Duplicate key");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Parse_EmptyFile_ReportsMissingApps(string yaml)
    {
        SingleError(yaml, 1, "", "the file is empty");
    }

    [Fact]
    public void Parse_RootIsList_ReportsExpectedMap()
    {
        SingleError("- a\n- b\n", 1, "", "expected a map of sections");
    }

    [Fact]
    public void Parse_UnknownKeys_ReportedAtTheirLines()
    {
        const string yaml = """
            server:
              url: http://127.0.0.1:8080
            reload:
              PollInterval: 1s
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                auth:
                  scheme: basic
                  usersFile: users.txt
                  passwd: x
            extra: true
            """;

        var errors = Errors(yaml);

        HasError(errors, 2, "server.url", "unknown key 'url'; expected one of: urls");
        HasError(errors, 4, "reload.PollInterval", "did you mean 'pollInterval'?");
        HasError(errors, 12, "apps[0].auth.passwd", "unknown key 'passwd'");
        HasError(errors, 13, "extra", "unknown key 'extra'");
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Parse_UnknownKeysInsideSettings_AreAccepted()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                settings:
                  anything: goes
                  deeply: { nested: [1, 2] }
            """;

        var sut = ConfigLoader.Parse(yaml, ConfigPath);

        Assert.Equal("2", sut.Apps[0].Settings["deeply:nested:1"]);
    }

    [Fact]
    public void Parse_WrongTypes_ReportedWithKeyAndLine()
    {
        const string yaml = """
            reload:
              pollInterval: abc
              watchConfig: maybe
              trigger: { a: b }
            logging:
              minimumLevel: Loud
            apps:
              - name: [Api]
                mount: /api
                assembly: Api/Api.dll
                maxRequestBodySize: lots
                passAuthorization: yes
                settings: [a, b]
            """;

        var errors = Errors(yaml);

        HasError(errors, 2, "reload.pollInterval", "'abc' is not a duration");
        HasError(errors, 3, "reload.watchConfig", "'maybe' is not a boolean");
        HasError(errors, 4, "reload.trigger", "expected a text value, found a map");
        HasError(errors, 6, "logging.minimumLevel", "'Loud' is not supported; use one of: Verbose, Debug, Information, Warning, Error, Fatal");
        HasError(errors, 8, "apps[0].name", "expected a text value, found a list");
        HasError(errors, 11, "apps[0].maxRequestBodySize", "'lots' is not a size");
        HasError(errors, 12, "apps[0].passAuthorization", "'yes' is not a boolean");
        HasError(errors, 13, "apps[0].settings", "expected a map of settings, found a list");
        Assert.Equal(8, errors.Count);
    }

    [Theory]
    [InlineData("lots", "'lots' is not a whole number; write digits only, from 1 to 1000000")]
    [InlineData("-5", "'-5' is not a whole number")]
    [InlineData("1.5", "'1.5' is not a whole number")]
    [InlineData("0", "'0' must be from 1 to 1000000")]
    [InlineData("2000000", "'2000000' must be from 1 to 1000000")]
    [InlineData("[1, 2]", "expected a text value, found a list")]
    public void Parse_BadLogBufferSize_ReportedWithKeyAndLine(string value, string message)
    {
        SingleError($"logging:\n  minimumLevel: Information\n  bufferSize: {value}\n" + OneApp, 3, "logging.bufferSize", message);
    }

    [Fact]
    public void Parse_BadLogBufferSizeAndOtherErrors_AllReportedAtOnce()
    {
        var errors = Errors("logging:\n  bufferSize: 0\n  requestLog: maybe\n" + OneApp);

        HasError(errors, 2, "logging.bufferSize", "'0' must be from 1 to 1000000");
        HasError(errors, 3, "logging.requestLog", "'maybe' is not a boolean");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Parse_SectionIsNotAMap_ReportsExpectedMap()
    {
        SingleError("reload: fast\n" + OneApp, 1, "reload", "expected a map of keys, found 'fast'");
    }

    [Fact]
    public void Parse_MissingRequiredAppKeys_ReportedAtTheApp()
    {
        const string yaml = """
            apps:
              - name: Api
              - mount: /web
                assembly: Web/Web.dll
            """;

        var errors = Errors(yaml);

        HasError(errors, 2, "apps[0].mount", "missing required key 'mount'");
        HasError(errors, 2, "apps[0].assembly", "missing required key 'assembly'");
        HasError(errors, 3, "apps[1].name", "missing required key 'name'");
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Parse_RequiredKeyWithoutValue_ReportedAtTheKey()
    {
        SingleError("apps:\n  - name: Api\n    mount:\n    assembly: Api/Api.dll\n", 3, "apps[0].mount", "is required but has no value");
    }

    [Fact]
    public void Parse_AppsMissing_ReportsRequiredApps()
    {
        SingleError("server:\n  urls: http://127.0.0.1:8080\n", 1, "apps", "missing required key 'apps'");
    }

    [Fact]
    public void Parse_AppsEmpty_ReportsEmptyList()
    {
        SingleError("logging:\n  requestLog: true\napps: []\n", 3, "apps", "is empty");
    }

    [Fact]
    public void Parse_AppIsNotAMap_ReportsExpectedApp()
    {
        SingleError("apps:\n  - Api\n", 2, "apps[0]", "expected an app");
    }

    [Fact]
    public void Parse_DuplicateAppNames_ReportedAtTheSecondName()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: /a
                assembly: A/A.dll
              - name: api
                mount: /b
                assembly: B/B.dll
            """;

        SingleError(yaml, 5, "apps[1].name", "app name 'api' is already used by apps[0]");
    }

    [Fact]
    public void Parse_TwoAppsOnSameMountForAllHosts_ErrorNamesBothApps()
    {
        const string yaml = """
            apps:
              - name: ReportingApi
                mount: /api/v1
                assembly: A/A.dll
              - name: Other
                mount: /api/v1/
                assembly: B/B.dll
            """;

        var error = SingleError(yaml, 6, "apps[1].mount", "two apps on mount '/api/v1' for all hosts: ReportingApi and Other");

        Assert.Equal($"{ConfigPath}:6: apps[1].mount: two apps on mount '/api/v1' for all hosts: ReportingApi and Other", error.ToString());
    }

    [Fact]
    public void Parse_TwoAppsOnSameMountForSharedHost_ErrorNamesHostAndBothApps()
    {
        const string yaml = """
            apps:
              - name: A
                mount: /
                assembly: A/A.dll
                hosts: [a.example, shared.example]
              - name: B
                mount: /
                assembly: B/B.dll
                hosts: [SHARED.example]
            """;

        SingleError(yaml, 7, "apps[1].mount", "two apps on mount '/' for host 'shared.example': A and B");
    }

    [Theory]
    [InlineData("/opt/Api/Api.dll", "must be relative to the release folder")]
    [InlineData("C:\\\\apps\\\\Api.dll", "must be relative to the release folder")]
    [InlineData("../Api/Api.dll", "must not contain '..'")]
    [InlineData("Api/../../Api.dll", "must not contain '..'")]
    public void Parse_AssemblyOutsideRelease_ReportsError(string assembly, string message)
    {
        var yaml = $"apps:\n  - name: Api\n    mount: /api\n    assembly: \"{assembly}\"\n";

        SingleError(yaml, 4, "apps[0].assembly", message);
    }

    [Fact]
    public void Parse_UnknownAuthScheme_ReportsSupportedSchemes()
    {
        var yaml = OneApp + "\n    auth:\n      scheme: oauth\n      usersFile: users.txt\n";

        SingleError(yaml, 6, "apps[0].auth.scheme", "'oauth' is not supported; use one of: apiKey, basic");
    }

    [Fact]
    public void Parse_AuthWithoutSchemeOrUsersFile_ReportsMissingKeys()
    {
        var yaml = OneApp + "\n    auth:\n      header: X-Key\n";

        var errors = Errors(yaml);

        HasError(errors, 6, "apps[0].auth.scheme", "missing required key 'scheme'");
        HasError(errors, 6, "apps[0].auth.usersFile", "missing required key 'usersFile'");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("10")]
    [InlineData("127.0.0.1/")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::1/129")]
    public void Parse_InvalidAdminAllowEntry_ReportsEntryWithIndex(string entry)
    {
        var yaml = $"admin:\n  allow:\n    - 127.0.0.1\n    - \"{entry}\"\n" + OneApp;

        SingleError(yaml, 4, "admin.allow[1]", $"'{entry}' is not an IP address or CIDR network");
    }

    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("/relative")]
    [InlineData("http://127.0.0.1:8080/base")]
    public void Parse_InvalidServerUrl_ReportsUrl(string url)
    {
        var yaml = $"server:\n  urls: \"http://127.0.0.1:8080;{url}\"\n" + OneApp;

        SingleError(yaml, 2, "server.urls", $"'{url}'");
    }

    [Fact]
    public void Parse_InvalidAdminUrlInList_ReportsIndex()
    {
        var yaml = "admin:\n  urls:\n    - http://127.0.0.1:9000\n    - localhost:9000\n" + OneApp;

        SingleError(yaml, 4, "admin.urls[1]", "not an absolute http:// or https:// URL");
    }

    [Fact]
    public void Parse_EmptyServerUrls_ReportsNeedsUrl()
    {
        SingleError("server:\n  urls: []\n" + OneApp, 2, "server.urls", "needs at least one URL");
    }

    [Theory]
    [InlineData("pollInterval", "0s")]
    [InlineData("debounce", "00:00:00")]
    [InlineData("drainTimeout", "-00:00:05")]
    public void Parse_NonPositiveDuration_ReportsPositiveRequired(string key, string value)
    {
        var yaml = $"reload:\n  {key}: \"{value}\"\n" + OneApp;

        SingleError(yaml, 2, $"reload.{key}", "must be a positive duration");
    }

    [Theory]
    [InlineData("api", "must start with '/'")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/../b", "'..' segments")]
    [InlineData("/a/./b", "'.' segments")]
    [InlineData("/a?b", "must not contain '?'")]
    [InlineData("/a#b", "must not contain '#'")]
    [InlineData("/a%20b", "must not contain '%'")]
    public void Parse_InvalidMount_ReportsMountError(string mount, string message)
    {
        var yaml = $"apps:\n  - name: Api\n    mount: \"{mount}\"\n    assembly: Api/Api.dll\n";

        SingleError(yaml, 3, "apps[0].mount", message);
    }

    [Theory]
    [InlineData("prod/live")]
    [InlineData("..")]
    public void Parse_ProductionNotAPlainName_ReportsError(string production)
    {
        SingleError($"releases:\n  production: \"{production}\"\n" + OneApp, 2, "releases.production", "must be a plain name");
    }

    [Fact]
    public void Parse_AdminPathIsRoot_ReportsError()
    {
        SingleError("admin:\n  path: /\n" + OneApp, 2, "admin.path", "must not be '/'");
    }

    [Fact]
    public void Parse_AppMountedInsideAdminPath_ReportsError()
    {
        var yaml = "apps:\n  - name: Api\n    mount: /_pluginhost/api\n    assembly: Api/Api.dll\n";

        SingleError(yaml, 3, "apps[0].mount", "is inside admin.path '/_pluginhost'");
    }

    [Fact]
    public void Parse_TokenEnvNotSet_ReportsVariable()
    {
        var variable = "PLUGINHOST_TEST_UNSET_" + Guid.NewGuid().ToString("N");

        SingleError($"admin:\n  tokenEnv: {variable}\n" + OneApp, 2, "admin.tokenEnv", $"environment variable '{variable}' is not set");
    }

    [Fact]
    public void Parse_TokenAndTokenEnv_ReportsEitherOr()
    {
        SingleError("admin:\n  token: abc\n  tokenEnv: X\n" + OneApp, 3, "admin.tokenEnv", "either token or tokenEnv");
    }

    [Fact]
    public void Parse_WarmupPathWithoutSlash_ReportsError()
    {
        SingleError(OneApp + "\n    warmup: [/ok, version]\n", 5, "apps[0].warmup[1]", "must start with '/'");
    }

    [Fact]
    public void Parse_DuplicateSettingIgnoringCase_ReportsError()
    {
        SingleError(OneApp + "\n    settings:\n      Title: a\n      title: b\n", 7, "apps[0].settings.title", "setting 'title' is given twice");
    }

    [Fact]
    public void Parse_ManyErrors_ReportsAllInFileOrder()
    {
        const string yaml = """
            reload:
              pollInterval: soon
            admin:
              allow: [nowhere]
            apps:
              - name: A
                mount: /x
                assembly: /abs/A.dll
              - name: B
                mount: /x
                assembly: B/B.dll
                auth:
                  scheme: magic
                  usersFile: u.txt
            """;

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "config.yaml"));

        Assert.Equal([2, 4, 8, 10, 13], exception.Errors.Select(error => error.Line));
        Assert.Equal(exception.Errors.Select(error => error.ToString()), exception.Message.Split(Environment.NewLine));
        Assert.StartsWith("config.yaml:2: reload.pollInterval: 'soon' is not a duration", exception.Message, StringComparison.Ordinal);
    }
}

using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>apps[].project and apps[].from: where 'publish' takes an app from (the host ignores them when serving).</summary>
public sealed class PublishSourceConfigTests
{
    [Fact]
    public void Parse_ProjectAndFrom_ResolveAgainstConfigFolder()
    {
        const string yaml = """
            apps:
              - name: Billing
                mount: /billing
                assembly: Billing/Billing.dll
                project: ../../src/billing/src/Billing/Billing.csproj
              - name: Legacy
                mount: /legacy
                assembly: Legacy/Legacy.dll
                from: artifacts/legacy
              - name: Prebuilt
                mount: /prebuilt
                assembly: Prebuilt/Prebuilt.dll
                from: /srv/ci/prebuilt/
              - name: Sample
                mount: /
                assembly: Sample/Sample.dll
            """;

        var sut = ConfigLoader.Parse(yaml, "/opt/host/conf/config.yaml");

        Assert.Equal(("/opt/src/billing/src/Billing/Billing.csproj", (string?)null), (sut.Apps[0].Project, sut.Apps[0].From));
        Assert.Equal(((string?)null, "/opt/host/conf/artifacts/legacy"), (sut.Apps[1].Project, sut.Apps[1].From));
        Assert.Equal("/srv/ci/prebuilt/", sut.Apps[2].From);
        Assert.Equal(((string?)null, (string?)null), (sut.Apps[3].Project, sut.Apps[3].From));
    }

    [Fact]
    public void Parse_ProjectAndFromTogether_OneErrorAtFrom()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                project: ../api/Api.csproj
                from: ../api/bin/publish
            """;

        var error = SingleError(yaml, 6, "apps[0].from", "cannot be used with 'project'");

        Assert.Equal(ConfigPath, error.File);
        Assert.Equal($"{ConfigPath}:6: apps[0].from: cannot be used with 'project': publish either builds the app from a project or copies an already-published folder; keep one of them",
            error.ToString());
    }

    [Theory]
    [InlineData("../api/Api.dll")]
    [InlineData("../api")]
    [InlineData("../api/Api.sln")]
    public void Parse_ProjectNotAProjectFile_OneErrorNamingTheValue(string project)
    {
        var yaml = $"""
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                project: {project}
            """;

        SingleError(yaml, 5, "apps[0].project", $"'{project}' is not a project file: name the app's .csproj");
    }

    [Theory]
    [InlineData("project", "\"\"", "must not be empty")]
    [InlineData("from", "\"  \"", "must not be empty")]
    [InlineData("project", "[a, b]", "expected")]
    [InlineData("from", "{ path: x }", "expected")]
    public void Parse_EmptyOrNotText_OneErrorAtTheKey(string key, string value, string message)
    {
        var yaml = $"""
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                {key}: {value}
            """;

        SingleError(yaml, 5, $"apps[0].{key}", message);
    }

    [Fact]
    public void Parse_ProjectMisspelt_SuggestsTheKey()
    {
        const string yaml = """
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                Project: ../api/Api.csproj
            """;

        SingleError(yaml, 5, "apps[0].Project", "did you mean 'project'?");
    }
}

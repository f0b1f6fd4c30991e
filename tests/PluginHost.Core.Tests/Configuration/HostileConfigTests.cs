using System.Diagnostics;
using PluginHost.Core.Configuration;
using static PluginHost.Core.Tests.Configuration.ConfigAssert;

namespace PluginHost.Core.Tests.Configuration;

/// <summary>Issue 12: YAML that crashed the parser without a position, and aliases that expand without limit.</summary>
public sealed class HostileConfigTests
{
    [Theory]
    [InlineData("admin:\n  allow: [127.0.0.0/8, ::1\napps: []\n", 2)]
    [InlineData("admin:\n  allow: {a: 1, b::2\napps: []\n", 2)]
    [InlineData("apps:\n  - name: [x, y: z\n", 2)]
    public void Parse_UnclosedFlowCollectionFollowedByColon_OneSyntaxErrorWithItsLine(string yaml, int line)
    {
        var errors = Errors(yaml);

        var error = Assert.Single(errors);
        Assert.True(error.Line >= line, $"error at line {error.Line}, expected at or after {line}: {error}");
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Operation is not valid", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{ConfigPath}:{error.Line}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughsInSettings_RefusedQuicklyNamingTheBound()
    {
        // 600 bytes that expand to 10^6 settings when aliases are followed.
        var yaml = """
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                settings:
                  a: &a {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1, x9: 1}
                  b: &b {y0: *a, y1: *a, y2: *a, y3: *a, y4: *a, y5: *a, y6: *a, y7: *a, y8: *a, y9: *a}
                  c: &c {z0: *b, z1: *b, z2: *b, z3: *b, z4: *b, z5: *b, z6: *b, z7: *b, z8: *b, z9: *b}
                  d: &d {w0: *c, w1: *c, w2: *c, w3: *c, w4: *c, w5: *c, w6: *c, w7: *c, w8: *c, w9: *c}
                  e: &e {v0: *d, v1: *d, v2: *d, v3: *d, v4: *d, v5: *d, v6: *d, v7: *d, v8: *d, v9: *d}
                  f: {u0: *e, u1: *e, u2: *e, u3: *e, u4: *e, u5: *e, u6: *e, u7: *e, u8: *e, u9: *e}
            """;
        var watch = Stopwatch.StartNew();

        var errors = Errors(yaml);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        HasError(errors, 6, "apps[0].settings", $"more than {SettingsFlattener.MaxSettings} settings");
    }

    [Fact]
    public void Parse_LimitsOfIssue12_ReadAndChecked()
    {
        var config = ConfigLoader.Parse("""
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                maxConcurrentRequests: 8
                auth: {scheme: apiKey, usersFile: keys, maxFailures: 5, failureWindow: 30s}
              - name: Web
                mount: /
                assembly: Web/Web.dll
            """, ConfigPath);

        Assert.Equal(8, config.Apps[0].MaxConcurrentRequests);
        Assert.Equal((5, TimeSpan.FromSeconds(30)), (config.Apps[0].Auth!.MaxFailures, config.Apps[0].Auth!.FailureWindow));
        Assert.Null(config.Apps[1].MaxConcurrentRequests);

        var errors = Errors("""
            apps:
              - name: Api
                mount: /api
                assembly: Api/Api.dll
                maxConcurrentRequests: 0
            """);
        HasError(errors, 5, "apps[0].maxConcurrentRequests", "whole number of 1 or more");
    }

    [Fact]
    public void Load_FileLargerThanTheBound_RefusedWithoutParsing()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("pluginhost-config-").FullName, "config.yaml");
        try
        {
            File.WriteAllText(path, "# " + new string('x', (int)ConfigLoader.MaxFileBytes) + "\napps: []\n");

            var error = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(path)).Errors);

            Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
            Assert.Equal(path, error.File);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}

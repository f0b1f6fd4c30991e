using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

public sealed class ConfigErrorTests
{
    [Fact]
    public void ToString_LineAndKey_FormatsLikeACompiler()
    {
        var sut = new ConfigError("config.yaml", 12, "apps[1].mount", "two apps on mount '/api/v1' for all hosts: ReportingApi and Other");

        Assert.Equal("config.yaml:12: apps[1].mount: two apps on mount '/api/v1' for all hosts: ReportingApi and Other", sut.ToString());
    }

    [Fact]
    public void ToString_NoLineNoKey_OmitsThem()
    {
        var sut = new ConfigError("config.yaml", 0, "", "cannot read the config file");

        Assert.Equal("config.yaml: cannot read the config file", sut.ToString());
    }

    [Fact]
    public void ConfigException_SeveralErrors_MessageHasOneLinePerError()
    {
        ConfigError[] errors =
        [
            new("config.yaml", 2, "reload.debounce", "'x' is not a duration"),
            new("config.yaml", 9, "apps", "is empty"),
        ];

        var sut = new ConfigException(errors);

        Assert.Equal($"config.yaml:2: reload.debounce: 'x' is not a duration{Environment.NewLine}config.yaml:9: apps: is empty", sut.Message);
        Assert.Same(errors, sut.Errors);
    }

    [Fact]
    public void ConfigException_NoErrors_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ConfigException([]));
    }
}

using PluginHost.Core.Releases;

namespace PluginHost.Core.Tests.Releases;

public sealed class VersionNameTests
{
    [Theory]
    [InlineData("1.5.0")]
    [InlineData("v1.5.0")]
    [InlineData("2024-06-01_hotfix")]
    [InlineData("A")]
    public void IsValid_PlainFolderName_True(string name) => Assert.True(VersionName.IsValid(name));

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("-rf")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("1..2")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("1.5.0\n")]
    [InlineData("a b")]
    public void TryValidate_UnsafeName_FalseWithMessage(string? name)
    {
        var valid = VersionName.TryValidate(name, out var error);

        Assert.False(valid);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Require_NameWithSlash_ThrowsNamingTheProblem()
    {
        var exception = Assert.Throws<ReleaseStoreException>(() => VersionName.Require("a/b"));

        Assert.Contains("'/'", exception.Message, StringComparison.Ordinal);
    }
}

using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

public sealed class MountPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/api", "/api")]
    [InlineData("/api/", "/api")]
    [InlineData("/api/v1/", "/api/v1")]
    [InlineData("/Api/V1", "/Api/V1")]
    [InlineData("/a.b/c-d_e~", "/a.b/c-d_e~")]
    public void Normalise_ValidMount_ReturnsNormalisedMount(string mount, string expected)
    {
        var normalised = MountPath.Normalise(mount, out var error);

        Assert.Equal(expected, normalised);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "must start with '/'")]
    [InlineData("api", "must start with '/'")]
    [InlineData("//", "empty segment")]
    [InlineData("/api//", "empty segment")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/.", "'.' segments")]
    [InlineData("/a/..", "'..' segments")]
    [InlineData("/a?x=1", "'?'")]
    [InlineData("/a#top", "'#'")]
    [InlineData("/a%2F", "'%'")]
    [InlineData("/a b", "' '")]
    [InlineData("/a\\b", "'\\'")]
    public void Normalise_InvalidMount_ReturnsNullWithError(string mount, string messagePart)
    {
        var normalised = MountPath.Normalise(mount, out var error);

        Assert.Null(normalised);
        Assert.Contains(messagePart, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "/anything", true)]
    [InlineData("/admin", "/admin", true)]
    [InlineData("/admin", "/ADMIN/x", true)]
    [InlineData("/admin", "/administrator", false)]
    [InlineData("/admin", "/", false)]
    public void Covers_PathAgainstMount_MatchesWholeSegments(string mount, string path, bool expected)
    {
        Assert.Equal(expected, MountPath.Covers(mount, path));
    }
}

using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

public sealed class ByteSizeParserTests
{
    [Theory]
    [InlineData("30000000", 30_000_000L)]
    [InlineData("512B", 512L)]
    [InlineData("512KB", 512L * 1024)]
    [InlineData("10MB", 10L * 1024 * 1024)]
    [InlineData("10 mb", 10L * 1024 * 1024)]
    [InlineData("1.5GB", 3L * 512 * 1024 * 1024)]
    [InlineData("2MiB", 2L * 1024 * 1024)]
    public void TryParse_ValidSize_ReturnsBytes(string text, long expected)
    {
        var parsed = ByteSizeParser.TryParse(text, out var value);

        Assert.True(parsed);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-5")]
    [InlineData("10TB")]
    [InlineData("MB")]
    [InlineData("99999999999GB")]
    public void TryParse_InvalidSize_ReturnsFalse(string text)
    {
        Assert.False(ByteSizeParser.TryParse(text, out _));
    }
}

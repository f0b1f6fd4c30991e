using PluginHost.Core.Configuration;

namespace PluginHost.Core.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1s", 1_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData(" 10 s ", 10_000)]
    [InlineData("00:00:30", 30_000)]
    [InlineData("01:02:03", 3_723_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    [InlineData("00:00:00.250", 250)]
    public void TryParse_ValidDuration_ReturnsTimeSpan(string text, long expectedMilliseconds)
    {
        var parsed = DurationParser.TryParse(text, out var value);

        Assert.True(parsed);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10")]
    [InlineData("5 minutes")]
    [InlineData("1d")]
    [InlineData("-1s")]
    [InlineData("1,5s")]
    [InlineData("1S")]
    [InlineData("99:99:99")]
    [InlineData("99999999999999h")]
    public void TryParse_InvalidDuration_ReturnsFalse(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }
}

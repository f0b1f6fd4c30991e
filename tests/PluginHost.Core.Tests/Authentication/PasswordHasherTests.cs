using PluginHost.Core.Authentication;

namespace PluginHost.Core.Tests.Authentication;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_ThenVerify_AcceptsTheSecretAndRejectsOthers()
    {
        var hash = PasswordHasher.TryParse(PasswordHasher.Hash("correct horse", 1_000), out var error);

        Assert.Null(error);
        Assert.NotNull(hash);
        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horse ", hash));
        Assert.False(PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void Hash_SameSecretTwice_UsesDifferentSalts()
    {
        Assert.NotEqual(PasswordHasher.Hash("secret", 1_000), PasswordHasher.Hash("secret", 1_000));
    }

    [Fact]
    public void Hash_Default_IsPbkdf2Sha256WithOwaspsIterations()
    {
        var parts = PasswordHasher.Hash("secret").Split(':');

        Assert.Equal(["pbkdf2-sha256", "600000"], parts[..2]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Fact]
    public void FormatLine_NameAndSecret_ParsesBackAsAUsersFileLine()
    {
        var sut = UsersFile.Parse("users", [PasswordHasher.FormatLine("alice", "pw", 1_000)]);

        Assert.True(sut.VerifyUser("alice", "pw"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("al ice")]
    [InlineData("al:ice")]
    public void FormatLine_BadName_Throws(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => PasswordHasher.FormatLine(name, "pw", 1_000));
    }

    [Theory]
    [InlineData("bcrypt:10:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256:abc:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256:999:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256:1000:not-base64!:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256:1000:AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("plaintext")]
    public void TryParse_NotAHash_ReturnsNullWithAReason(string text)
    {
        Assert.Null(PasswordHasher.TryParse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}

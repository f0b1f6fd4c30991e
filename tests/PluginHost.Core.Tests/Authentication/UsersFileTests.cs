using PluginHost.Core.Authentication;

namespace PluginHost.Core.Tests.Authentication;

public sealed class UsersFileTests
{
    private static readonly string Alice = PasswordHasher.FormatLine("alice", "wonderland", 1_000);
    private static readonly string Bob = PasswordHasher.FormatLine("bob", "builder", 1_000);

    [Fact]
    public void Parse_CommentsAndBlankLines_AreIgnored()
    {
        var sut = UsersFile.Parse("users", ["# operators", "", "  " + Alice + "  ", Bob]);

        Assert.Equal(2, sut.Count);
        Assert.Equal(["alice", "bob"], sut.Names.Order());
    }

    [Fact]
    public void VerifyUser_RightAndWrongPasswords_OnlyRightOneAccepted()
    {
        var sut = UsersFile.Parse("users", [Alice, Bob]);

        Assert.True(sut.VerifyUser("alice", "wonderland"));
        Assert.True(sut.VerifyUser("alice", "wonderland"));
        Assert.False(sut.VerifyUser("alice", "builder"));
        Assert.False(sut.VerifyUser("bob", "wonderland"));
        Assert.False(sut.VerifyUser("carol", "wonderland"));
        Assert.False(sut.VerifyUser("ALICE", "wonderland"));
    }

    [Fact]
    public void FindKeyOwner_KnownKey_ReturnsItsName()
    {
        var sut = UsersFile.Parse("keys", [PasswordHasher.FormatLine("reporting-batch", "k-123", 1_000), PasswordHasher.FormatLine("dashboard", "k-456", 1_000)]);

        Assert.Equal("dashboard", sut.FindKeyOwner("k-456"));
        Assert.Equal("dashboard", sut.FindKeyOwner("k-456"));
        Assert.Equal("reporting-batch", sut.FindKeyOwner("k-123"));
        Assert.Null(sut.FindKeyOwner("k-789"));
        Assert.Null(sut.FindKeyOwner(""));
    }

    [Fact]
    public void Parse_BadLines_ReportsEveryOneWithFileAndLine()
    {
        var ex = Assert.Throws<UsersFileException>(() => UsersFile.Parse("/etc/app/users", ["# header", Alice, "bob:plaintext", "no-colon", Alice, "c d:" + Bob.Split(':', 2)[1]]));

        Assert.Contains("/etc/app/users:3: user 'bob'", ex.Message);
        Assert.Contains("/etc/app/users:4:", ex.Message);
        Assert.Contains("/etc/app/users:5: user 'alice' is listed twice", ex.Message);
        Assert.Contains("/etc/app/users:6:", ex.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "users");

        var ex = Assert.Throws<UsersFileException>(() => UsersFile.Load(path));

        Assert.Contains(path, ex.Message);
    }
}

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

    private const string BatchKey = "k-123-Zm9vYmFyYmF6cXV4cXV1eHh5enp5eA";
    private const string DashboardKey = "k-456-cXV1eHh5enp5eFptOXZZbUZ5WW1GNm";

    [Fact]
    public void FindKeyOwner_KnownKey_ReturnsItsName()
    {
        var sut = UsersFile.Parse("keys", [PasswordHasher.FormatApiKeyLine("reporting-batch", BatchKey), PasswordHasher.FormatApiKeyLine("dashboard", DashboardKey)], apiKeys: true);

        Assert.Equal("dashboard", sut.FindKeyOwner(DashboardKey));
        Assert.Equal("dashboard", sut.FindKeyOwner(DashboardKey));
        Assert.Equal("reporting-batch", sut.FindKeyOwner(BatchKey));
        Assert.Null(sut.FindKeyOwner(BatchKey.ToUpperInvariant()));
        Assert.Null(sut.FindKeyOwner("k-789"));
        Assert.Null(sut.FindKeyOwner(""));
    }

    /// <summary>Issue 12: a wrong key used to cost PBKDF2 against every line; now it is one keyed hash and a lookup.</summary>
    [Fact]
    public void FindKeyOwner_WrongKeysAgainstAThousandKeys_EachCostsOneHash()
    {
        var lines = Enumerable.Range(0, 1000).Select(i => PasswordHasher.FormatApiKeyLine($"owner{i}", $"{i:D6}-{BatchKey}")).ToList();
        var sut = UsersFile.Parse("keys", lines, apiKeys: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(sut.FindKeyOwner($"wrong-{i}-{DashboardKey}"));
        }

        // A thousand PBKDF2 checks of even 1 000 iterations each took seconds per wrong key; a thousand HMACs take microseconds.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"1000 wrong keys took {clock.Elapsed}");
        Assert.Equal("owner999", sut.FindKeyOwner($"000999-{BatchKey}"));
    }

    [Fact]
    public void Parse_ApiKeyFileWithAPasswordHash_RefusedSayingHowToMakeTheLine()
    {
        var ex = Assert.Throws<UsersFileException>(() => UsersFile.Parse("/etc/app/keys", [Alice], apiKeys: true));

        Assert.Contains("/etc/app/keys:1: key 'alice'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("hash-password alice --api-key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindKeyOwner_KeysHashedUnderASecret_FoundOnlyWithThatSecret()
    {
        const string Secret = "c2VjcmV0IG9mIHRoZSBrZXllZCBoYXNoIGZvciB0ZXN0cw";
        string[] lines = [PasswordHasher.FormatApiKeyLine("batch", BatchKey, Secret)];

        var withSecret = UsersFile.Parse("keys", lines, apiKeys: true, keySecret: Secret);
        var withoutSecret = UsersFile.Parse("keys", lines, apiKeys: true);
        var otherSecret = UsersFile.Parse("keys", lines, apiKeys: true, keySecret: Secret + "x");

        Assert.Equal("batch", withSecret.FindKeyOwner(BatchKey));
        Assert.Null(withoutSecret.FindKeyOwner(BatchKey));
        Assert.Null(otherSecret.FindKeyOwner(BatchKey));
        Assert.NotEqual(PasswordHasher.HashApiKey(BatchKey), PasswordHasher.HashApiKey(BatchKey, Secret));
        Assert.Throws<ArgumentException>(() => PasswordHasher.HashApiKey(BatchKey, "short secret"));
    }

    [Fact]
    public void FormatApiKeyLine_ShortKey_Refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => PasswordHasher.FormatApiKeyLine("batch", "short"));

        Assert.Contains($"at least {PasswordHasher.MinApiKeyLength} characters", ex.Message, StringComparison.Ordinal);
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

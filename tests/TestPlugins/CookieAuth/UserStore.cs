using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace CookieAuth;

/// <summary>The accounts of the app's settings ("Users": { "alice": "password" }), compared in constant time.</summary>
public sealed class UserStore(IConfiguration configuration)
{
    public bool Verify(string? user, string? password)
    {
        if (string.IsNullOrEmpty(user) || password is null)
        {
            return false;
        }

        var expected = configuration.GetSection("Users")[user];
        return expected is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(password));
    }
}

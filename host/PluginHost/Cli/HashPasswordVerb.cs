using System.CommandLine;
using System.Text;
using PluginHost.Core.Authentication;

namespace PluginHost.Cli;

/// <summary>
/// 'hash-password': prints a users-file line for <c>auth.usersFile</c>: a salted PBKDF2 hash of a password, or with
/// --api-key the keyed hash an API key is looked up by.
/// The secret is read from standard input, never from the command line, so it stays out of shell history.
/// </summary>
internal static class HashPasswordVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var name = new Argument<string>("name") { Description = "The user name (basic) or key owner name (apiKey)" };
        var iterations = new Option<int>("--iterations")
        {
            Description = "PBKDF2 iterations of a password hash (default: OWASP's 600000 for PBKDF2-HMAC-SHA256)",
            DefaultValueFactory = _ => PasswordHasher.DefaultIterations,
        };
        var apiKey = new Option<bool>("--api-key")
        {
            Description = $"The secret is an API key (at least {PasswordHasher.MinApiKeyLength} random characters, e.g. 'openssl rand -base64 32'): print its keyed-hash line for auth.scheme apiKey",
        };
        var keySecretEnv = new Option<string?>("--key-secret-env")
        {
            Description = "With --api-key: hash under the secret in this environment variable (the app's auth.keySecretEnv)",
            HelpName = "variable",
        };
        var command = new Command("hash-password", "Print a users-file line for a password or API key typed (or piped) on standard input")
        {
            name, iterations, apiKey, keySecretEnv,
        };
        CliAction.Set(command, services, config, async context =>
        {
            var secret = context.Services.ReadSecret();
            if (string.IsNullOrEmpty(secret))
            {
                throw new CliUserException("no secret on standard input: type it when asked, or pipe it in");
            }

            try
            {
                var line = context.GetValue(apiKey)
                    ? PasswordHasher.FormatApiKeyLine(context.GetValue(name)!, secret, KeySecret(context.GetValue(keySecretEnv)))
                    : PasswordHasher.FormatLine(context.GetValue(name)!, secret, context.GetValue(iterations));
                await context.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new CliUserException(ex.Message);
            }

            return CliAction.Ok;
        });
        return command;
    }

    private static string? KeySecret(string? variable) =>
        variable is null ? null
        : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
        : throw new CliUserException($"--key-secret-env: the environment variable {variable} is not set");

    /// <summary>Reads a secret from a pipe, or from the terminal without echoing it.</summary>
    internal static string? ReadSecretFromConsole()
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine();
        }

        Console.Error.Write("secret: ");
        var secret = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && secret.Length > 0)
            {
                secret.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return secret.ToString();
    }
}

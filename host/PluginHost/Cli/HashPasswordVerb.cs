using System.CommandLine;
using System.Text;
using PluginHost.Core.Authentication;

namespace PluginHost.Cli;

/// <summary>
/// 'hash-password': prints a users-file line (name + salted PBKDF2 hash) for <c>auth.usersFile</c>.
/// The secret is read from standard input, never from the command line, so it stays out of shell history.
/// </summary>
internal static class HashPasswordVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var name = new Argument<string>("name") { Description = "The user name (basic) or key owner name (apiKey)" };
        var iterations = new Option<int>("--iterations")
        {
            Description = "PBKDF2 iterations: high for passwords, e.g. 1000 for long random API keys",
            DefaultValueFactory = _ => PasswordHasher.DefaultIterations,
        };
        var command = new Command("hash-password", "Print a users-file line for a password or API key typed (or piped) on standard input") { name, iterations };
        CliAction.Set(command, services, config, async context =>
        {
            var secret = context.Services.ReadSecret();
            if (string.IsNullOrEmpty(secret))
            {
                throw new CliUserException("no secret on standard input: type it when asked, or pipe it in");
            }

            try
            {
                await context.Out.WriteLineAsync(PasswordHasher.FormatLine(context.GetValue(name)!, secret, context.GetValue(iterations))).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new CliUserException(ex.Message);
            }

            return CliAction.Ok;
        });
        return command;
    }

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

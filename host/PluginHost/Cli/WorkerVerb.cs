using System.CommandLine;
using PluginHost.Workers;

namespace PluginHost.Cli;

/// <summary>'worker': one generation of a process app in its own process; started by the host, hidden from help.</summary>
internal static class WorkerVerb
{
    public static Command Create(CliServices services, Option<string> config)
    {
        var app = new Option<string>("--app");
        var release = new Option<string>("--release");
        var generation = new Option<long>("--generation");
        var socket = new Option<string>("--socket") { Required = true };
        var spare = new Option<bool>("--spare") { Description = "Start now, then read app, release and generation from standard input" };
        var command = new Command(Core.Workers.WorkerProtocol.Verb, "Serve one app generation on a socket for the host (started by the host)")
        {
            Hidden = true,
        };
        command.Add(app);
        command.Add(release);
        command.Add(generation);
        command.Add(socket);
        command.Add(spare);
        CliAction.Set(command, services, config, context => WorkerCommand.RunAsync(
            new WorkerArguments(context.ConfigPath, context.GetValue(app) ?? "", context.GetValue(release) ?? "", context.GetValue(generation), context.GetValue(socket)!),
            context.GetValue(spare), context.CancellationToken));
        return command;
    }
}

using Microsoft.AspNetCore.SignalR;
using PluginHost.Abstractions;

namespace LongLivedConnections;

/// <summary>The docs' chat hub, answering with the generation that runs it.</summary>
public sealed class ChatHub(PluginContext context) : Hub
{
    /// <summary>Client-to-server: answers "gen N: text".</summary>
    public Task<string> Echo(string text) => Task.FromResult($"gen {context.Generation}: {text}");

    /// <summary>Client-to-server: the generation that holds this connection.</summary>
    public Task<long> Generation() => Task.FromResult(context.Generation);

    /// <summary>Server-to-client: sends "gen N: text" as "message" to every connected client.</summary>
    public Task Broadcast(string text) => Clients.All.SendAsync("message", $"gen {context.Generation}: {text}");
}

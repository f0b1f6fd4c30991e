using System.Net.Sockets;
using System.Text;

namespace PluginHost.IntegrationTests.Infrastructure;

/// <summary>Sends a request line exactly as written (no client-side path normalisation) and reads the status code.</summary>
public static class RawHttp
{
    public static async Task<int> GetStatusAsync(Uri server, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var statusLine = await reader.ReadLineAsync() ?? throw new IOException($"no response to GET {target}");
        // "HTTP/1.1 404 Not Found"
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

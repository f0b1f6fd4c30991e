using System.Net.Http.Json;

namespace HttpClientFactory;

/// <summary>What the upstream answers.</summary>
public sealed record EchoReply(string Text, string? Caller);

public sealed record ReverseRequest(string Text);

/// <summary>A typed client: gets its configured <see cref="HttpClient"/> from the factory.</summary>
public sealed class EchoClient(HttpClient http)
{
    public async Task<EchoReply> EchoAsync(string text, CancellationToken cancellationToken = default)
        => await http.GetFromJsonAsync<EchoReply>($"echo?text={Uri.EscapeDataString(text)}", cancellationToken)
            ?? throw new InvalidOperationException("the upstream answered null");

    public async Task<EchoReply> ReverseAsync(string text, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("reverse", new ReverseRequest(text), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<EchoReply>(cancellationToken) ?? throw new InvalidOperationException("the upstream answered null");
    }

    public async Task<int> StatusAsync(int code, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync($"status/{code}", cancellationToken);
        response.EnsureSuccessStatusCode();
        return (int)response.StatusCode;
    }
}

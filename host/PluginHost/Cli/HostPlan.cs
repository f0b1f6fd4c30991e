using System.Text.Json;
using PluginHost.Core.Configuration;

namespace PluginHost.Cli;

/// <summary>What the running host will do when production moves to a release: swap in a warm generation, or build one.</summary>
/// <param name="Warm">The host holds the release loaded, warm and unchanged (prepared or the rollback standby): a flip swaps instantly.</param>
/// <param name="Generation">The warm generation's number, when there is one.</param>
/// <param name="Description">One line for people.</param>
internal sealed record HostPlan(bool Warm, long? Generation, string Description)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Asks the running host's status; a host that does not answer is a plan too (the next start loads production).</summary>
    public static async Task<HostPlan> AskAsync(CliContext context, HostConfig config, string version)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = StatusVerb.StatusUrl(config);
        try
        {
            var (_, body) = await StatusVerb.AdminRequestAsync(context, config, HttpMethod.Get, url, AskTimeout).ConfigureAwait(false);
            using var status = JsonDocument.Parse(body);
            return Of(status.RootElement, version);
        }
        catch (Exception ex) when (ex is CliUserException or JsonException)
        {
            return new HostPlan(false, null, $"no running host answered at {url.GetLeftPart(UriPartial.Authority)} ({ex.Message}); a start loads production");
        }
    }

    /// <summary>Reads the plan for <paramref name="version"/> from a status document.</summary>
    public static HostPlan Of(JsonElement status, string version)
    {
        if (status.TryGetProperty("version", out var serving) && serving.ValueKind == JsonValueKind.String && serving.GetString() == version)
        {
            return new HostPlan(false, status.GetProperty("generation").GetInt64(), $"the running host already serves '{version}'");
        }

        if (status.TryGetProperty("canary", out var canary) && canary.ValueKind == JsonValueKind.Object
            && canary.GetProperty("version").GetString() == version)
        {
            var number = canary.GetProperty("generation").GetInt64();
            return new HostPlan(true, number,
                $"the running host serves '{version}' as its canary (generation {number}): the flip completes the rollout instantly, nothing is loaded");
        }

        var standby = status.TryGetProperty("standbys", out var standbys)
            ? standbys.EnumerateArray().FirstOrDefault(s => s.GetProperty("version").GetString() == version)
            : default;
        if (standby.ValueKind != JsonValueKind.Object)
        {
            return new HostPlan(false, null, $"the running host will build '{version}' (load, warm up, swap)");
        }

        var generation = standby.GetProperty("generation").GetInt64();
        var role = standby.GetProperty("role").GetString() == "prepared" ? "prepared" : "warm as its rollback standby";
        return standby.GetProperty("fresh").GetBoolean()
            ? new HostPlan(true, generation, $"the running host holds '{version}' {role} (generation {generation}): the flip swaps to it instantly, nothing is loaded")
            : new HostPlan(false, generation, $"the running host holds '{version}' generation {generation}, but its files or config.yaml changed since it was built: it will build '{version}' again");
    }
}

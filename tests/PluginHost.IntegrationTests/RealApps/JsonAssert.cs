using System.Text.Json;

namespace PluginHost.IntegrationTests.RealApps;

/// <summary>Small checks on JSON answers that read better than chains of GetProperty.</summary>
public static class JsonAssert
{
    public static string Text(this JsonElement json, string property) =>
        json.GetProperty(property).GetString() ?? throw new InvalidOperationException($"'{property}' is null in {json}");

    public static long Number(this JsonElement json, string property) => json.GetProperty(property).GetInt64();

    public static IReadOnlyList<JsonElement> Items(this JsonElement json, string property) => [.. json.GetProperty(property).EnumerateArray()];

    /// <summary>The keys of a validation problem's <c>errors</c>, which must include each of <paramref name="expected"/> (ignoring case).</summary>
    public static void HasErrorsFor(JsonElement problem, params string[] expected)
    {
        var keys = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        var missing = expected.Where(e => !keys.Contains(e, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(missing.Count == 0, $"validation errors for [{string.Join(", ", missing)}] missing; got [{string.Join(", ", keys)}]: {problem}");
    }
}

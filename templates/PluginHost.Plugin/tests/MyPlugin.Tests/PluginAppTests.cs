using System.Text.Json;

namespace MyPlugin.Tests;

public sealed class PluginAppTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task GetHello_DefaultSettings_GreetsWithTheAppsNameAndMount()
    {
        await using var sut = new PluginHarness(new PluginApp());

        var (status, body) = await sut.GetAsync("/hello");

        Assert.Equal(200, status);
        Assert.Equal(new Hello("Hello", "MyPlugin", "test", 1, "/my-plugin"), JsonSerializer.Deserialize<Hello>(body, Web));
    }

    [Fact]
    public async Task GetHello_GreetingInSettings_UsesIt()
    {
        await using var sut = new PluginHarness(new PluginApp(), settings: new Dictionary<string, string?> { ["greeting"] = "Bonjour" });

        var (_, body) = await sut.GetAsync("/hello");

        Assert.Equal("Bonjour", JsonSerializer.Deserialize<Hello>(body, Web)!.Greeting);
    }

    [Fact]
    public async Task GetUnknownPath_NotFound()
    {
        await using var sut = new PluginHarness(new PluginApp());

        var (status, _) = await sut.GetAsync("/nothing-here");

        Assert.Equal(404, status);
    }
}

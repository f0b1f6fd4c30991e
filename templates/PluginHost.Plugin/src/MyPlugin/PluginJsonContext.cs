using System.Text.Json;
using System.Text.Json.Serialization;

namespace MyPlugin;

/// <summary>The JSON this app writes, with its serialization code generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Hello))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;

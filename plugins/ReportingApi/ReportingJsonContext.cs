using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportingApi;

/// <summary>JSON metadata generated at build time: a new generation builds none by reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VersionInfo))]
[JsonSerializable(typeof(Report))]
[JsonSerializable(typeof(HeadersInfo))]
[JsonSerializable(typeof(EchoResult))]
internal sealed partial class ReportingJsonContext : JsonSerializerContext;

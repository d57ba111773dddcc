using System.Text.Json;
using EmiPlatform.Api.Problems;

namespace EmiPlatform.Testing;

public static class Json
{
    /// <summary>The API's own serializer settings, so DTOs round-trip exactly as clients see them.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ProblemsExtensions.ConfigureJson(options);
        options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return options;
    }
}

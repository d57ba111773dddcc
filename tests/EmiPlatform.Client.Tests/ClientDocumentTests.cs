using System.Text.Json.Nodes;
using EmiPlatform.Testing;

namespace EmiPlatform.Client.Tests;

/// <summary>The client was generated from the document the build obtained; it must be the one the running host serves.</summary>
public sealed class ClientDocumentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_document_the_client_was_generated_from_is_the_one_the_host_serves()
    {
        await using var embedded = typeof(ClientDocumentTests).Assembly.GetManifestResourceStream("EmiPlatform.Api.json")!;
        var generatedFrom = await JsonNode.ParseAsync(embedded);
        var served = JsonNode.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json"));

        Assert.NotEmpty(generatedFrom!["paths"]!.AsObject());
        // The host names the address it was asked on as its server; at build time nobody asked, so there is none.
        Assert.Equal(api.Url.ToString().TrimEnd('/'), served!["servers"]![0]!["url"]!.GetValue<string>().TrimEnd('/'));
        served.AsObject().Remove("servers");
        var difference = FirstDifference(generatedFrom, served, "#");
        Assert.True(difference is null, $"the served document differs at {difference}; rebuild tests/EmiPlatform.Client.Tests");
    }

    /// <summary>Where two documents first differ, as a JSON pointer, so a drift names its place.</summary>
    private static string? FirstDifference(JsonNode? a, JsonNode? b, string at)
    {
        if (a is JsonObject objectA && b is JsonObject objectB)
        {
            foreach (var name in objectA.Select(p => p.Key).Union(objectB.Select(p => p.Key)))
            {
                if (FirstDifference(objectA[name], objectB[name], $"{at}/{name}") is { } inner)
                {
                    return inner;
                }
            }
            return null;
        }
        if (a is JsonArray arrayA && b is JsonArray arrayB && arrayA.Count == arrayB.Count)
        {
            return Enumerable.Range(0, arrayA.Count).Select(i => FirstDifference(arrayA[i], arrayB[i], $"{at}/{i}")).FirstOrDefault(d => d is not null);
        }
        return JsonNode.DeepEquals(a, b) ? null : $"{at}: {a?.ToJsonString() ?? "absent"} ≠ {b?.ToJsonString() ?? "absent"}";
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// Numbers are JSON numbers on the wire and in the document (issue 24): the web defaults' "read numbers from strings"
/// is off, so a string where a number belongs is a 400 problem, and no schema says <c>number | string</c>.
/// </summary>
public sealed class StrictNumberTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_string_where_a_number_belongs_is_a_400_problem_naming_the_field()
    {
        using var body = new StringContent("""{"name":"Strict lab","maxStorageBytes":"1000"}""", Encoding.UTF8, "application/json");
        var problem = await ProblemAssert.IsProblem(await api.Admin().PostAsync("/v1/admin/tenants", body), HttpStatusCode.BadRequest, "malformed-request");
        Assert.Contains("maxStorageBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var number = new StringContent("""{"name":"Strict lab","maxStorageBytes":1000}""", Encoding.UTF8, "application/json");
        var created = await api.Admin().PostAsync("/v1/admin/tenants", number);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_document_types_every_number_as_a_number_only()
    {
        var document = JsonNode.Parse(await api.Client(null).GetStringAsync("/openapi/v1.json"))!;
        var loose = new List<string>();
        Walk(document, "#", loose);
        Assert.True(loose.Count == 0, $"{loose.Count} schemas allow a number or a string:\n{string.Join('\n', loose)}");

        var timeline = document["paths"]!["/v1/recordings/{id}/timeline"]!["get"]!["parameters"]!.AsArray();
        var from = timeline.Single(p => p!["name"]!.GetValue<string>() == "from_s")!;
        Assert.Equal("number", from["schema"]!["type"]!.GetValue<string>());
    }

    private static void Walk(JsonNode? node, string at, List<string> loose)
    {
        if (node is JsonObject o)
        {
            if (o["type"] is JsonArray types)
            {
                var names = types.Select(t => t!.GetValue<string>()).ToList();
                if (names.Contains("string") && (names.Contains("number") || names.Contains("integer")))
                {
                    loose.Add($"{at}: {types.ToJsonString()}");
                }
            }
            if (o["pattern"] is { } pattern && pattern.GetValue<string>().Contains("[0-9]", StringComparison.Ordinal) && o["type"] is JsonArray)
            {
                loose.Add($"{at}: numeric pattern {pattern}");
            }
            foreach (var (name, child) in o)
            {
                Walk(child, $"{at}/{name}", loose);
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                Walk(a[i], $"{at}/{i}", loose);
            }
        }
    }
}

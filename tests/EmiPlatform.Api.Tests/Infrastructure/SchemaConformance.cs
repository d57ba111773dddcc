using System.Text.Json;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// Checks a JSON value against an OpenAPI 3.1 schema of the served document, as far as its schemas go: $ref, oneOf,
/// type (arrays of types included), enum, properties (no others unless additionalProperties allows), required, items.
/// Formats and patterns are not checked. Spectral checks media-type examples itself, but not a schema's 'examples'.
/// </summary>
public static class SchemaConformance
{
    /// <summary>Where <paramref name="value"/> departs from <paramref name="schema"/>, one line each; none when it conforms.</summary>
    public static List<string> Mismatches(JsonElement schemas, JsonElement schema, JsonElement value)
    {
        var mismatches = new List<string>();
        Check(schemas, schema, value, "$", mismatches);
        return mismatches;
    }

    private static void Check(JsonElement schemas, JsonElement schema, JsonElement value, string at, List<string> mismatches)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(schemas, schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]), value, at, mismatches);
            return;
        }
        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var matching = oneOf.EnumerateArray().Count(option =>
            {
                var found = new List<string>();
                Check(schemas, option, value, at, found);
                return found.Count == 0;
            });
            if (matching != 1)
            {
                mismatches.Add($"{at}: matches {matching} of the oneOf options");
            }
            return;
        }
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            mismatches.Add($"{at}: {value.GetRawText()} is not one of {values.GetRawText()}");
        }
        if (!schema.TryGetProperty("type", out var type))
        {
            return; // any value (JsonElement), or an enum checked above
        }
        var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        var kind = value.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => value.TryGetInt64(out _) && types.Contains("integer") ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
        if (!types.Contains(kind))
        {
            mismatches.Add($"{at}: a {kind}, the schema says {string.Join('|', types)}");
            return;
        }
        if (kind == "array")
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(schemas, schema.GetProperty("items"), item, $"{at}[{i++}]", mismatches);
            }
        }
        if (kind == "object")
        {
            var properties = schema.TryGetProperty("properties", out var declared) ? declared : default;
            var others = schema.TryGetProperty("additionalProperties", out var additional) ? additional : default;
            foreach (var member in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(member.Name, out var property))
                {
                    Check(schemas, property, member.Value, $"{at}.{member.Name}", mismatches);
                }
                else if (others.ValueKind == JsonValueKind.Object)
                {
                    Check(schemas, others, member.Value, $"{at}.{member.Name}", mismatches);
                }
                else if (others.ValueKind == JsonValueKind.False || properties.ValueKind == JsonValueKind.Object)
                {
                    mismatches.Add($"{at}.{member.Name}: not in the schema");
                }
            }
            var required = schema.TryGetProperty("required", out var names) ? names.EnumerateArray().Select(n => n.GetString()!) : [];
            mismatches.AddRange(required.Where(name => !value.TryGetProperty(name, out _)).Select(name => $"{at}.{name}: required, missing"));
        }
    }
}

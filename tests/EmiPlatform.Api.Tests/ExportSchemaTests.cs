using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The exports' machine-readable column description (a Frictionless Table Schema from the one definition of the
/// columns) and the participants' metadata columns: labels such as trial <c>007</c> stay text when read with it.
/// </summary>
public sealed class ExportSchemaTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Formats = ["long", "aggregate", "recordings"];

    private readonly TimelineSeeder seed = new(api);

    private async Task<(string Key, Guid StudyId)> StudyAsync()
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, "Schema study");
        var client = api.Client(key);
        async Task<Guid> Participant(string code, object? metadata)
        {
            var response = await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code, metadata });
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        var p1 = await Participant("P01", new { condition = "mimic", session = 1, group = "007", consent = true });
        var p2 = await Participant("P02", new { condition = "=watch", session = 2 });
        var p3 = await Participant("P03", null);
        var bundle = await seed.BundleAsync("schema-" + Guid.NewGuid().ToString("N")[..8], "0.1.0", DateTimeOffset.UtcNow);
        foreach (var (participant, trial, seedValue) in new[] { (p1, "007", 1), (p2, "2", 2), (p3, "010", 3) })
        {
            var recording = await seed.RecordingAsync(tenant.Id, study.Id, participant, $"{trial}.mp4", "joy-01", trial);
            await seed.TimelineAsync(tenant.Id, recording, bundle, 3, seed: seedValue);
        }
        return (key, study.Id);
    }

    private async Task<JsonElement> SchemaAsync(string key, Guid studyId, string format)
    {
        var response = await api.Client(key).GetAsync($"/v1/studies/{studyId}/export/schema?format={format}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<string> CsvAsync(string key, Guid studyId, string format)
    {
        var response = await api.Client(key).GetAsync($"/v1/studies/{studyId}/export?format={format}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    [Fact]
    public async Task The_schema_names_every_column_of_each_format_in_header_order_with_its_type_unit_and_range()
    {
        var s = await StudyAsync();
        foreach (var format in Formats)
        {
            var schema = await SchemaAsync(s.Key, s.StudyId, format);
            var rows = CsvTestReader.Parse(await CsvAsync(s.Key, s.StudyId, format));
            var fields = schema.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
            Assert.Equal(rows[0], schema.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray());
            Assert.Equal([""], schema.GetProperty("missingValues").EnumerateArray().Select(v => v.GetString()));

            string TypeOf(string name) => fields[name].GetProperty("type").GetString()!;
            Assert.Equal("string", TypeOf("trial"));
            Assert.Equal("string", TypeOf("participant"));
            Assert.Equal("uuid", fields["recording_id"].GetProperty("format").GetString());
            Assert.Equal("string", TypeOf("meta_condition"));
            Assert.Equal("string", TypeOf("meta_group"));
            Assert.Equal("number", TypeOf("meta_session"));
            Assert.Equal("boolean", TypeOf("meta_consent"));
            Assert.Equal(["meta_condition", "meta_consent", "meta_group", "meta_session"], rows[0][^4..]);
            Assert.Equal("integer", TypeOf(format == "long" ? "window" : "window_count"));
            if (format != "recordings")
            {
                Assert.Equal("number", TypeOf("joy"));
                Assert.Equal(0, fields["joy"].GetProperty("constraints").GetProperty("minimum").GetDouble());
                Assert.Equal(1, fields["joy"].GetProperty("constraints").GetProperty("maximum").GetDouble());
                Assert.Equal("boolean", TypeOf("has_audio"));
                Assert.Equal(["TRUE"], fields["has_audio"].GetProperty("trueValues").EnumerateArray().Select(v => v.GetString()));
                Assert.Equal("deg", fields["head_yaw_deg"].GetProperty("unit").GetString());
                Assert.Equal("s", fields[format == "long" ? "start_s" : "duration_s"].GetProperty("unit").GetString());
            }

            // The metadata cells: as set, a number as JSON wrote it, a formula neutralised like any text, empty without.
            var p1 = rows.First(r => r[2] == "P01");
            var p2 = rows.First(r => r[2] == "P02");
            var p3 = rows.First(r => r[2] == "P03");
            Assert.Equal(["mimic", "TRUE", "007", "1"], p1[^4..]);
            Assert.Equal(["'=watch", "", "", "2"], p2[^4..]);
            Assert.Equal(["", "", "", ""], p3[^4..]);
        }
    }

    [Fact]
    public async Task A_study_without_metadata_keeps_the_fixed_columns_and_bad_requests_are_problems()
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key, "No metadata");
        var schema = await SchemaAsync(key, study.Id, "aggregate");
        Assert.DoesNotContain(schema.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString()!.StartsWith("meta_", StringComparison.Ordinal));
        Assert.Equal(["recording_id"], schema.GetProperty("primaryKey").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["recording_id", "window"], (await SchemaAsync(key, study.Id, "long")).GetProperty("primaryKey").EnumerateArray().Select(v => v.GetString()));

        var client = api.Client(key);
        var problem = await ProblemAssert.IsProblem(await client.GetAsync($"/v1/studies/{study.Id}/export/schema?format=wide"),
            HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("format", out _));
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/studies/{Guid.NewGuid()}/export/schema"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Pandas_and_R_read_labels_as_text_when_the_schema_gives_the_types()
    {
        var s = await StudyAsync();
        var folder = Directory.CreateTempSubdirectory("emi-export-schema-").FullName;
        var csv = Path.Combine(folder, "long.csv");
        var schemaPath = Path.Combine(folder, "long.schema.json");
        await File.WriteAllTextAsync(csv, await CsvAsync(s.Key, s.StudyId, "long"), new UTF8Encoding(false));
        var schema = await SchemaAsync(s.Key, s.StudyId, "long");
        await File.WriteAllTextAsync(schemaPath, schema.GetRawText());

        // docs/results.md's recipe: str for every string field; without it pandas reads 007 as the integer 7.
        var pandas = await RunAsync("/usr/bin/python3", "-c", """
            import json, sys
            import pandas as pd
            schema = json.load(open(sys.argv[2]))
            dtype = {f["name"]: str for f in schema["fields"] if f["type"] == "string"}
            df = pd.read_csv(sys.argv[1], dtype=dtype)
            plain = pd.read_csv(sys.argv[1])
            print(json.dumps({"trials": sorted(set(df["trial"])), "groups": sorted(set(df["meta_group"].dropna())),
                              "plainTrials": sorted(set(int(t) for t in plain["trial"])), "joy": str(df["joy"].dtype),
                              "session": str(df["meta_session"].dtype), "window": str(df["window"].dtype)}))
            """, csv, schemaPath);
        var read = JsonDocument.Parse(pandas).RootElement;
        Assert.Equal(["007", "010", "2"], read.GetProperty("trials").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["007"], read.GetProperty("groups").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([2, 7, 10], read.GetProperty("plainTrials").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal("float64", read.GetProperty("joy").GetString());
        Assert.Equal("int64", read.GetProperty("window").GetString());

        var strings = string.Join(',', schema.GetProperty("fields").EnumerateArray()
            .Where(f => f.GetProperty("type").GetString() == "string").Select(f => f.GetProperty("name").GetString()));
        var r = await RunAsync("Rscript", "-e", """
            args <- commandArgs(trailingOnly = TRUE)
            text <- strsplit(args[2], ",")[[1]]
            df <- read.csv(args[1], encoding = "UTF-8", colClasses = setNames(rep("character", length(text)), text))
            writeLines(sort(unique(df$trial)))
            writeLines(class(df$joy))
            """, csv, strings);
        Assert.Equal(["007", "010", "2", "numeric"], r.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["LANG"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>Bad input gets the documented problem response and changes nothing.</summary>
public sealed class HostileInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string, string, HttpStatusCode, string> BadBodies => new()
    {
        { "malformed JSON", "application/json", "{\"name\": ", HttpStatusCode.BadRequest, "malformed-request" },
        { "unknown field", "application/json", "{\"name\":\"ok\",\"tenantId\":\"00000000-0000-0000-0000-000000000000\"}", HttpStatusCode.BadRequest, "malformed-request" },
        { "wrong type", "application/json", "{\"name\":42}", HttpStatusCode.BadRequest, "malformed-request" },
        { "array instead of object", "application/json", "[1,2,3]", HttpStatusCode.BadRequest, "malformed-request" },
        { "not JSON content type", "text/plain", "{\"name\":\"ok\"}", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "10 kB name", "application/json", "{\"name\":\"" + new string('n', 10_240) + "\"}", (HttpStatusCode)422, "validation" },
        { "blank name", "application/json", "{\"name\":\"   \"}", (HttpStatusCode)422, "validation" },
        { "missing name", "application/json", "{}", (HttpStatusCode)422, "validation" },
        { "control characters", "application/json", "{\"name\":\"a\\u0000b\\u001b[31m\"}", (HttpStatusCode)422, "validation" },
        { "unpaired surrogate", "application/json", "{\"name\":\"a\\ud800b\"}", HttpStatusCode.BadRequest, "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_study_bodies_get_a_problem_and_create_nothing(string why, string contentType, string body, HttpStatusCode status, string type)
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);
        var response = await client.PostAsync("/v1/studies", new StringContent(body, Encoding.UTF8, contentType));
        var problem = await ProblemAssert.IsProblem(response, status, type);
        if (type == "validation")
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), why + ": the problem lists the field: " + problem.GetRawText());
        }
        Assert.Equal(0, (await client.GetFromJsonAsync<Page<StudyDto>>("/v1/studies", Json.Options))!.Total);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400_and_creates_nothing()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);
        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"ab\"}");
        bytes[10] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        await ProblemAssert.IsProblem(await client.PostAsync("/v1/studies", content), HttpStatusCode.BadRequest, "malformed-request");
        Assert.Equal(0, (await client.GetFromJsonAsync<Page<StudyDto>>("/v1/studies", Json.Options))!.Total);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_and_creates_nothing()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);
        var body = "{\"name\":\"x\",\"description\":\"" + new string('d', 2 * 1024 * 1024) + "\"}";
        var response = await client.PostAsync("/v1/studies", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(0, (await client.GetFromJsonAsync<Page<StudyDto>>("/v1/studies", Json.Options))!.Total);
    }

    [Fact]
    public async Task Sql_metacharacters_are_stored_verbatim_and_harm_nothing()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);
        const string name = "x'); DROP TABLE studies; -- \" \\ % _ ;";
        var created = await client.PostAsJsonAsync("/v1/studies", new { name });
        var study = (await created.Content.ReadFromJsonAsync<StudyDto>(Json.Options))!;
        var participant = await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants",
            new { code = "1' OR '1'='1", metadata = new { note = "'; DELETE FROM participants; --" } });
        Assert.Equal(HttpStatusCode.Created, participant.StatusCode);

        var again = await client.GetFromJsonAsync<StudyDto>($"/v1/studies/{study.Id}", Json.Options);
        Assert.Equal(name, again!.Name);
        var participants = await client.GetFromJsonAsync<Page<ParticipantDto>>($"/v1/studies/{study.Id}/participants", Json.Options);
        Assert.Equal("1' OR '1'='1", Assert.Single(participants!.Items).Code);
    }

    [Theory]
    [InlineData("{\"code\":\"P1\",\"metadata\":[1,2]}")]
    [InlineData("{\"code\":\"P1\",\"metadata\":{\"a\":\"\\u0000\"}}")]
    [InlineData("{\"code\":\"P1\",\"metadata\":\"text\"}")]
    public async Task Bad_participant_metadata_is_a_422_listing_metadata(string body)
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);
        var problem = await ProblemAssert.IsProblem(
            await client.PostAsync($"/v1/studies/{study.Id}/participants", new StringContent(body, Encoding.UTF8, "application/json")),
            (HttpStatusCode)422, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("metadata", out _), problem.GetRawText());
        Assert.Equal(0, (await client.GetFromJsonAsync<Page<ParticipantDto>>($"/v1/studies/{study.Id}/participants", Json.Options))!.Total);
    }

    [Theory]
    [InlineData("?stimulus=joy%1B%5B31m&fileName=a.wav", "stimulus")]
    [InlineData("?trial=%00&fileName=a.wav", "trial")]
    public async Task Bad_upload_metadata_in_the_query_is_a_422_naming_the_field_and_stores_nothing(string query, string field)
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var problem = await ProblemAssert.IsProblem(
            await Uploads.PostAsync(client, studyId, participantId, await TestMedia.WavAsync(), "audio/wav", query), (HttpStatusCode)422, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
        Assert.Empty((await client.GetFromJsonAsync<List<RecordingDto>>(Uploads.Path(studyId, participantId), Json.Options))!);
    }

    [Theory]
    [InlineData("?page=0", "page")]
    [InlineData("?pageSize=100000", "pageSize")]
    public async Task Out_of_range_paging_is_a_422(string query, string field)
    {
        var (_, key) = await api.CreateTenantAsync();
        var problem = await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/studies" + query), (HttpStatusCode)422, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task A_page_far_beyond_the_last_is_an_empty_200_on_every_paged_list_and_a_page_past_int_is_a_400()
    {
        var (key, _, studyId, _) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var webhook = await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://93.184.215.14/emi/hooks" });
        Assert.Equal(HttpStatusCode.Created, webhook.StatusCode);
        var webhookId = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("webhook").GetProperty("id").GetGuid();
        // Every list that takes ?page=, and who may read it.
        var lists = new (HttpClient Client, string Path)[]
        {
            (client, "/v1/studies"),
            (client, $"/v1/studies/{studyId}/participants"),
            (client, $"/v1/studies/{studyId}/jobs"),
            (client, $"/v1/webhooks/{webhookId}/deliveries"),
            (api.Admin(), "/v1/admin/tenants"),
        };
        foreach (var (reader, path) in lists)
        {
            foreach (var query in new[] { "?page=2147483647", "?page=2147483647&pageSize=200", "?page=10737419&pageSize=200" })
            {
                var response = await reader.GetAsync(path + query);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}{query}: {(int)response.StatusCode} {body}");
                var page = JsonDocument.Parse(body).RootElement;
                Assert.Equal(0, page.GetProperty("items").GetArrayLength());
                Assert.True(page.GetProperty("total").GetInt64() >= 0);
            }
            // Not an int at all: the query cannot bind, which is a malformed request, not a server error.
            await ProblemAssert.IsProblem(await reader.GetAsync(path + "?page=2147483648"), HttpStatusCode.BadRequest, "malformed-request");
        }
    }

    /// <summary>Characters that change how text reads without being seen: direction overrides and isolates, zero-width ones, line and paragraph separators.</summary>
    public static TheoryData<string> InvisibleCharacters => new() { "\u202E", "\u2066", "\u200F", "\u200B", "\u200D", "\uFEFF", "\u2028", "\u2029" };

    [Theory]
    [MemberData(nameof(InvisibleCharacters))]
    public async Task Direction_and_invisible_characters_in_study_names_participant_codes_and_upload_labels_are_a_422_naming_the_field(string character)
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);

        var study = await client.PostAsJsonAsync("/v1/studies", new { name = $"pilot{character}gpj.exe" });
        Assert.True((await ProblemAssert.IsProblem(study, (HttpStatusCode)422, "validation")).GetProperty("errors").TryGetProperty("name", out _));
        var participant = await client.PostAsJsonAsync($"/v1/studies/{studyId}/participants", new { code = $"P{character}02" });
        Assert.True((await ProblemAssert.IsProblem(participant, (HttpStatusCode)422, "validation")).GetProperty("errors").TryGetProperty("code", out _));
        var renamed = await client.PutAsJsonAsync($"/v1/studies/{studyId}", new { name = $"renamed{character}" });
        Assert.True((await ProblemAssert.IsProblem(renamed, (HttpStatusCode)422, "validation")).GetProperty("errors").TryGetProperty("name", out _));
        var upload = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.WavAsync(), "audio/wav",
            $"?stimulus=joy{Uri.EscapeDataString(character)}01&fileName=a.wav");
        Assert.True((await ProblemAssert.IsProblem(upload, (HttpStatusCode)422, "validation")).GetProperty("errors").TryGetProperty("stimulus", out _));

        Assert.Equal(1, (await client.GetFromJsonAsync<Page<StudyDto>>("/v1/studies", Json.Options))!.Total);
        Assert.Equal(1, (await client.GetFromJsonAsync<Page<ParticipantDto>>($"/v1/studies/{studyId}/participants", Json.Options))!.Total);
        Assert.Empty(await api.BlobNamesAsync($"{tenantId}/"));
    }

    [Fact]
    public async Task A_file_name_with_direction_or_invisible_characters_is_kept_without_them()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        // Everything after U+202E is shown right to left, so a name can show another extension than it has.
        var fileName = "pass\u200Bwd\u2028\u2066\u202E4pm.mp4";
        var response = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.WavAsync(), "audio/wav",
            "?fileName=" + Uri.EscapeDataString(fileName));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("passwd4pm.mp4", (await response.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!.OriginalFileName);
    }

    [Fact]
    public async Task Unknown_routes_and_non_guid_ids_are_problem_404s()
    {
        var (_, key) = await api.CreateTenantAsync();
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/studies/not-a-guid"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await api.Client(key).GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound, "not-found");
    }
}

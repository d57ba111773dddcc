using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

public sealed class ParticipantsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Concurrent_creation_of_the_same_code_yields_exactly_one_row()
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P-race" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.IsProblem(loser, HttpStatusCode.Conflict, "conflict");
        }
        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM participants WHERE study_id = @s AND code = 'P-race'", connection);
        count.Parameters.AddWithValue("s", study.Id);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Participants_round_trip_with_metadata_and_codes_are_unique_per_study_only()
    {
        var (_, key) = await api.CreateTenantAsync();
        var first = await api.CreateStudyAsync(key, "first");
        var second = await api.CreateStudyAsync(key, "second");
        var client = api.Client(key);

        var created = await client.PostAsJsonAsync($"/v1/studies/{first.Id}/participants",
            new { code = "P01", metadata = new { age_band = "18-25", condition = "mimic", sessions = 3 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var participant = (await created.Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!;
        Assert.Equal(created.Headers.Location!.ToString(), $"/v1/studies/{first.Id}/participants/{participant.Id}");
        Assert.Equal(3, participant.Metadata!.Value.GetProperty("sessions").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/v1/studies/{second.Id}/participants", new { code = "P01" })).StatusCode);
        await ProblemAssert.IsProblem(await client.PostAsJsonAsync($"/v1/studies/{first.Id}/participants", new { code = "P01" }), HttpStatusCode.Conflict, "conflict");

        var updated = await client.PutAsJsonAsync($"/v1/studies/{first.Id}/participants/{participant.Id}", new { code = "P01b", metadata = (object?)null });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var fetched = await client.GetFromJsonAsync<ParticipantDto>($"/v1/studies/{first.Id}/participants/{participant.Id}", Json.Options);
        Assert.Equal("P01b", fetched!.Code);
        Assert.Null(fetched.Metadata);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/studies/{first.Id}/participants/{participant.Id}")).StatusCode);
        await ProblemAssert.IsProblem(await client.GetAsync($"/v1/studies/{first.Id}/participants/{participant.Id}"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Listing_is_paged_and_ordered_by_code()
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);
        foreach (var code in new[] { "P05", "P03", "P01", "P04", "P02" })
        {
            (await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code })).EnsureSuccessStatusCode();
        }
        var page2 = await client.GetFromJsonAsync<Page<ParticipantDto>>($"/v1/studies/{study.Id}/participants?page=2&pageSize=2", Json.Options);
        Assert.Equal(5, page2!.Total);
        Assert.Equal(["P03", "P04"], page2.Items.Select(p => p.Code));
    }

    [Fact]
    public async Task Deleting_a_study_deletes_its_participants()
    {
        var (_, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var client = api.Client(key);
        (await client.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/studies/{study.Id}")).StatusCode);

        await using var connection = new NpgsqlConnection(api.Database.Admin);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM participants WHERE study_id = @s", connection);
        count.Parameters.AddWithValue("s", study.Id);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Storage;
using EmiPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The feature cache end to end, on PostgreSQL and Azurite: the first score stores each backbone's features under
/// the recording and counts their bytes in the tenant's usage; a re-score with the same backbones reads them (heads
/// only) and says so; bytes that do not verify are recomputed, never used; erasing the recording takes its entries.
/// </summary>
public sealed class FeatureCacheTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_rescore_runs_the_heads_on_the_cached_features_of_the_first_score()
    {
        var (key, _, studyId, participantId) = await Uploads.ParticipantAsync(api);
        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.FaceThenNoFaceVideoAsync(), "video/mp4", "?fileName=P01_face.mp4");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal("succeeded", (await WebhookDeliveryTests.WaitForJobAsync(client, studyId)).GetProperty("state").GetString());

        var entries = await EntriesAsync(recording.Id);
        Assert.Equal(["audio", "visual"], entries.Select(e => e.Branch).Order());
        Assert.All(entries, e => Assert.StartsWith(FeatureCacheBlobs.Prefix(e.RecordingBlob), e.Blob, StringComparison.Ordinal));
        var me = await client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(recording.SizeBytes + entries.Sum(e => e.Size), me.GetProperty("tenant").GetProperty("usedStorageBytes").GetInt64());
        var first = await ProvenanceAsync(recording.Id);
        Assert.Equal((false, false), (first.AudioCached, first.VisualCached));
        Assert.Equal(entries.Single(e => e.Branch == "audio").Backbone, first.AudioBackbone);
        var firstWindows = await WindowsAsync(client, recording.Id);

        await RescoreAsync(client, recording.Id, studyId);
        var second = await ProvenanceAsync(recording.Id);
        Assert.Equal((true, true), (second.AudioCached, second.VisualCached));
        Assert.Equal(first.AudioBackbone, second.AudioBackbone);
        Assert.Equal(first.VisualBackbone, second.VisualBackbone);
        // The timeline and the aggregate export say so, from the same columns.
        var aggregate = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/scores", Json.Options))
            .GetProperty("recordings").EnumerateArray().Single(r => r.GetProperty("recordingId").GetGuid() == recording.Id).GetProperty("aggregate");
        Assert.True(aggregate.GetProperty("audio_features_cached").GetBoolean());
        Assert.Equal(second.VisualBackbone, aggregate.GetProperty("visual_backbone_sha256").GetString());
        foreach (var format in (string[])["aggregate", "long"])
        {
            var rows = (await client.GetStringAsync($"/v1/studies/{studyId}/export?format={format}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
            Assert.All(rows.Skip(1), row => Assert.Equal("TRUE", row[Array.IndexOf(rows[0], "visual_features_cached")]));
            Assert.All(rows.Skip(1), row => Assert.Equal(second.AudioBackbone, row[Array.IndexOf(rows[0], "audio_backbone_sha256")]));
        }
        var features = (await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recording.Id}/timeline", Json.Options)).GetProperty("features");
        Assert.True(features.GetProperty("audio_features_cached").GetBoolean());
        Assert.Equal(second.VisualBackbone, features.GetProperty("visual_backbone_sha256").GetString());
        // Heads on float16 features: the timeline is the first one's within half-precision rounding.
        var secondWindows = await WindowsAsync(client, recording.Id);
        Assert.Equal(firstWindows.Count, secondWindows.Count);
        for (var i = 0; i < firstWindows.Count; i++)
        {
            foreach (var name in (string[])["admiration", "joy", "valence", "face_coverage"])
            {
                var (a, b) = (firstWindows[i].GetProperty(name), secondWindows[i].GetProperty(name));
                Assert.Equal(a.ValueKind, b.ValueKind);
                if (a.ValueKind == JsonValueKind.Number)
                {
                    Assert.True(Math.Abs(a.GetDouble() - b.GetDouble()) < 5e-3, $"{name} of window {i}: {a} then {b}");
                }
            }
        }

        // Bytes that no longer hash to the recorded SHA-256 are recomputed (and stored afresh), never used.
        var audio = entries.Single(e => e.Branch == "audio");
        var blobs = api.Services.GetRequiredService<IBlobStore>();
        using (var tampered = new MemoryStream(new byte[audio.Size]))
        {
            await blobs.UploadAsync(audio.Blob, tampered);
        }

        await RescoreAsync(client, recording.Id, studyId);
        var third = await ProvenanceAsync(recording.Id);
        Assert.Equal((false, true), (third.AudioCached, third.VisualCached));
        var rewritten = (await EntriesAsync(recording.Id)).Single(e => e.Branch == "audio");
        var read = await new FeatureCacheBlobs(blobs).ReadAsync(rewritten.Blob, rewritten.ContentSha256, CancellationToken.None);
        Assert.Equal(FeatureBlobStatus.Verified, read.Status);

        // Erasure takes the entries with the recording: rows, blobs and their bytes in the usage.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/recordings/{recording.Id}")).StatusCode);
        Assert.Empty(await EntriesAsync(recording.Id));
        await foreach (var blob in blobs.Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, FeatureCacheBlobs.Prefix(audio.RecordingBlob), CancellationToken.None))
        {
            Assert.Fail($"{blob.Name} outlived its recording");
        }

        me = await client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(0, me.GetProperty("tenant").GetProperty("usedStorageBytes").GetInt64());
    }

    [Fact]
    public async Task A_tenant_whose_cache_bound_is_reached_is_scored_without_caching()
    {
        var (key, tenantId, studyId, participantId) = await Uploads.ParticipantAsync(api);
        await using (var connection = new NpgsqlConnection(api.Database.Owner))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE tenants SET max_feature_cache_bytes = 1 WHERE id = $1", connection);
            command.Parameters.Add(new() { Value = tenantId });
            await command.ExecuteNonQueryAsync();
        }

        var client = api.Client(key);
        var created = await Uploads.PostAsync(client, studyId, participantId, await TestMedia.FaceThenNoFaceVideoAsync(), "video/mp4", "?fileName=P01_face.mp4");
        var recording = (await created.Content.ReadFromJsonAsync<RecordingDto>(Json.Options))!;
        Assert.Equal("succeeded", (await WebhookDeliveryTests.WaitForJobAsync(client, studyId)).GetProperty("state").GetString());
        Assert.Empty(await EntriesAsync(recording.Id));
        var me = await client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(recording.SizeBytes, me.GetProperty("tenant").GetProperty("usedStorageBytes").GetInt64());
    }

    private static async Task RescoreAsync(HttpClient client, Guid recordingId, Guid studyId)
    {
        var before = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs")).GetProperty("items").GetArrayLength();
        var rescore = await client.PostAsJsonAsync($"/v1/recordings/{recordingId}/rescore", new { });
        Assert.True(rescore.IsSuccessStatusCode, await rescore.Content.ReadAsStringAsync());
        await Eventually.WaitAsync(async () =>
        {
            var items = (await client.GetFromJsonAsync<JsonElement>($"/v1/studies/{studyId}/jobs")).GetProperty("items").EnumerateArray().ToList();
            return items.Count > before && items.All(j => j.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled");
        }, TimeSpan.FromMinutes(2), "the re-score's job to finish");
    }

    private static async Task<List<JsonElement>> WindowsAsync(HttpClient client, Guid recordingId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/recordings/{recordingId}/timeline", Json.Options)).GetProperty("windows").EnumerateArray().ToList();

    private sealed record Entry(string Branch, string Backbone, string Blob, string RecordingBlob, string ContentSha256, long Size);

    private async Task<List<Entry>> EntriesAsync(Guid recordingId)
    {
        await using var connection = new NpgsqlConnection(api.Database.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT e.branch, e.backbone_sha256, e.blob_name, r.blob_name, e.content_sha256, e.size_bytes FROM feature_cache_entries e JOIN recordings r ON r.id = e.recording_id WHERE e.recording_id = $1", connection);
        command.Parameters.Add(new() { Value = recordingId });
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<Entry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new Entry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5)));
        }

        return entries;
    }

    private sealed record Provenance(string? AudioBackbone, bool? AudioCached, string? VisualBackbone, bool? VisualCached);

    private async Task<Provenance> ProvenanceAsync(Guid recordingId)
    {
        await using var connection = new NpgsqlConnection(api.Database.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT audio_backbone_sha256, audio_features_cached, visual_backbone_sha256, visual_features_cached FROM recording_scores WHERE recording_id = $1", connection);
        command.Parameters.Add(new() { Value = recordingId });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new Provenance(
            reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetBoolean(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetBoolean(3));
    }
}

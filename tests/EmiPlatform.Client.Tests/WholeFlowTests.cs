using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using EmiPlatform.ApiClient;
using EmiPlatform.ApiClient.Models;
using EmiPlatform.ApiClient.V1.Studies.Item.Export;
using EmiPlatform.Testing;
using EmiPlatform.Testing.Media;
using Microsoft.Kiota.Abstractions;

namespace EmiPlatform.Client.Tests;

/// <summary>
/// A lab's whole journey through the generated client against the real host (PostgreSQL, Azurite, the embedded silo
/// scoring with the untrained reference bundle): tenant → key → study → participant → upload → job → timeline → CSV.
/// </summary>
public sealed class WholeFlowTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Emotions = ["admiration", "amusement", "determination", "empathic_pain", "excitement", "joy"];

    /// <summary>The six emotions of a window in <see cref="Emotions"/>' order, from the generated model's properties.</summary>
    private static double?[] EmotionsOf(RecordingTimeline_windows w) =>
        [w.Admiration, w.Amusement, w.Determination, w.EmpathicPain, w.Excitement, w.Joy];

    [Fact]
    public async Task A_lab_goes_from_a_new_tenant_to_its_studys_csv_with_the_generated_client()
    {
        var admin = GeneratedClients.For(api, api.AdminKey);
        var created = await admin.V1.Admin.Tenants.PostAsync(new TenantRequest { Name = "Client lab" });
        var tenantId = created!.Tenant!.Id!.Value;
        Assert.Equal("Client lab", created.Tenant.Name);
        var key = await admin.V1.Admin.Tenants[tenantId].Keys.PostAsync(new ApiKeyRequest { Name = "uploader", Role = ApiKeyRole.Uploader });
        Assert.StartsWith("emi_", key!.Secret, StringComparison.Ordinal);

        var lab = GeneratedClients.For(api, key.Secret!);
        var me = await lab.V1.Me.GetAsync();
        Assert.Equal((tenantId, "uploader"), (me!.Tenant!.Id, me.Role));
        var study = await lab.V1.Studies.PostAsync(new StudyRequest { Name = "Mimicry pilot" });
        var studyId = study!.Id!.Value;
        var participant = await lab.V1.Studies[studyId].Participants.PostAsync(new ParticipantRequest { Code = "P01" });
        var participantId = participant!.Id!.Value;

        // A direct upload: the API hands out a write SAS, the bytes go to storage, the API is told it is done.
        var bytes = await File.ReadAllBytesAsync(TestFfmpeg.Make(Path.Combine(Directory.CreateTempSubdirectory("emi-client-").FullName, "clip.mp4"),
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "3",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"));
        var recordings = lab.V1.Studies[studyId].Participants[participantId].Recordings;
        var upload = await recordings.Uploads.PostAsync(new StartUploadRequest { SizeBytes = bytes.Length });
        using (var storage = new HttpClient())
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, upload!.UploadUrl) { Content = new ByteArrayContent(bytes) };
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            put.Content.Headers.ContentType = new("video/mp4");
            Assert.Equal(HttpStatusCode.Created, (await storage.SendAsync(put)).StatusCode);
        }
        var recording = await recordings.Uploads[upload.RecordingId!.Value].Complete.PostAsync(
            new CompleteUploadRequest { FileName = "P01_joy.mp4", Stimulus = "joy-01", Trial = "1" });
        Assert.Equal(upload.RecordingId, recording!.Id);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), recording.Sha256);
        Assert.True(recording.HasVideo);
        Assert.True(recording.HasAudio);
        Assert.InRange(recording.DurationSeconds!.Value, 2.9, 3.1);

        var job = await FinishedJobAsync(lab, studyId);
        Assert.Equal(recording.Id, job.RecordingId);
        Assert.True(job.State == "succeeded", $"the job ended {job.State}: {job.Error}");

        var timeline = await lab.V1.Recordings[recording.Id!.Value].Timeline.GetAsync();
        Assert.Equal(recording.Id, timeline!.RecordingId);
        Assert.Equal("P01", timeline.ParticipantCode);
        var windows = timeline.Windows!;
        Assert.NotEmpty(windows);
        for (var i = 0; i < windows.Count; i++)
        {
            Assert.Equal(i, windows[i].Index);
            Assert.True(windows[i].StartS < windows[i].EndS);
            Assert.All(EmotionsOf(windows[i]), e => Assert.True(e is { } v && double.IsFinite(v), $"window {i}: {e}"));
        }
        Assert.InRange(windows[^1].EndS!.Value, 2.5, 3.5);

        await using var csvStream = await lab.V1.Studies[studyId].Export.GetAsync(r => r.QueryParameters.Format = GetFormatQueryParameterType.Long);
        var rows = (await new StreamReader(csvStream!).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split(',')).ToList();
        var header = rows[0];
        Assert.Subset(header.ToHashSet(), new HashSet<string>(["study", "participant", "recording_id", "model_trained", "window", "start_s", "end_s", .. Emotions]));
        Assert.Equal(windows.Count, rows.Count - 1);
        for (var i = 0; i < windows.Count; i++)
        {
            var row = rows[i + 1];
            string Cell(string column) => row[Array.IndexOf(header, column)];
            Assert.Equal(("Mimicry pilot", "P01", recording.Id.ToString(), i.ToString(CultureInfo.InvariantCulture)),
                (Cell("study"), Cell("participant"), Cell("recording_id"), Cell("window")));
            Assert.True(Cell("model_trained") == "FALSE", "the reference bundle is untrained");
            var timelineEmotions = EmotionsOf(windows[i]);
            for (var e = 0; e < Emotions.Length; e++)
            {
                Assert.Equal((float)timelineEmotions[e]!.Value, (float)double.Parse(Cell(Emotions[e]), CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task Problems_reach_the_generated_client_as_its_typed_problem_details()
    {
        var admin = GeneratedClients.For(api, api.AdminKey);
        var created = await admin.V1.Admin.Tenants.PostAsync(new TenantRequest { Name = "Problem lab" });
        var lab = GeneratedClients.For(api, created!.AdminKey!.Secret!);

        var missing = await Assert.ThrowsAsync<ProblemDetails>(() => lab.V1.Recordings[Guid.NewGuid()].GetAsync());
        Assert.Equal((404, 404), (missing.ResponseStatusCode, missing.Status));
        Assert.False(string.IsNullOrEmpty(missing.Type), "a problem names its type");
        var anonymous = await Assert.ThrowsAsync<ProblemDetails>(() => GeneratedClients.For(api, "emi_not_a_key").V1.Me.GetAsync());
        Assert.Equal(401, anonymous.ResponseStatusCode);
        // A tenant key is not the platform admin's.
        var forbidden = await Assert.ThrowsAsync<ProblemDetails>(() => lab.V1.Admin.Tenants.GetAsync());
        Assert.Equal(403, forbidden.ResponseStatusCode);
        var invalid = await Assert.ThrowsAsync<ProblemDetails>(() => lab.V1.Studies.PostAsync(new StudyRequest { Name = "" }));
        Assert.Equal(422, invalid.ResponseStatusCode);
        Assert.Contains("name", invalid.Errors!.AdditionalData.Keys);
    }

    private static async Task<JobDto> FinishedJobAsync(EmiApiClient client, Guid studyId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var page = await client.V1.Studies[studyId].Jobs.GetAsync();
            var job = Assert.Single(page!.Items!);
            if (job.State is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the scoring job was still {job.State} after 2 minutes");
            await Task.Delay(250);
        }
    }
}

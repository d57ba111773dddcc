using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EmiPlatform.Harness;

/// <summary>One tenant's study and participant on a <see cref="Platform"/>, with the tenant-admin client and the calls tests and benchmarks make.</summary>
public sealed record Lab(Platform Platform, HttpClient Client, string Name, Guid TenantId, Guid StudyId, Guid ParticipantId)
{
    /// <summary>Uploads a recording as `emi upload` does (one POST with the bytes; its job is queued when it returns); returns the recording's id.</summary>
    public async Task<Guid> UploadAsync(byte[] bytes, string fileName, string contentType = "audio/wav", CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await PostRecordingAsync(content, fileName, cancellationToken);
            // As a client should: a 503 during a failover says when to try again.
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5 && response.Headers.RetryAfter?.Delta is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
                continue;
            }
            return await RecordingIdAsync(response, fileName, cancellationToken);
        }
    }

    /// <summary>Uploads <paramref name="file"/>, streamed from disk; returns the recording's id.</summary>
    public async Task<Guid> UploadFileAsync(string file, string contentType, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await PostRecordingAsync(content, Path.GetFileName(file), cancellationToken);
        return await RecordingIdAsync(response, Path.GetFileName(file), cancellationToken);
    }

    /// <summary>Another participant of the lab's study; returns its id.</summary>
    public async Task<Guid> AddParticipantAsync(string code) =>
        Guid.Parse((await SendAsync(Client.PostAsJsonAsync($"/v1/studies/{StudyId}/participants", new { code }), "participant"))["id"]!.GetValue<string>());

    /// <summary>A webhook to a port nobody listens on (deliveries fail and retry): the delivery rows are what tests count.</summary>
    public async Task<Guid> RegisterWebhookAsync() =>
        Guid.Parse((await SendAsync(Client.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/emi" }), "webhook"))["webhook"]!["id"]!.GetValue<string>());

    /// <summary>Sets the tenant's share of scoring slots (null: the cluster's slots), as a platform admin does.</summary>
    public async Task SetShareAsync(int? maxConcurrentJobs)
    {
        using var admin = Platform.Client(Platform.AdminKey);
        await SendAsync(admin.PutAsJsonAsync($"/v1/admin/tenants/{TenantId}", new { name = Name, maxConcurrentJobs }), "share");
    }

    /// <summary>Suspends or resumes the tenant (<paramref name="verb"/>: suspend, resume), as a platform admin does.</summary>
    public async Task SetStatusAsync(string verb)
    {
        using var admin = Platform.Client(Platform.AdminKey);
        await SendAsync(admin.PostAsync($"/v1/admin/tenants/{TenantId}/{verb}", null), verb);
    }

    /// <summary>The study's jobs counted by state.</summary>
    public async Task<Dictionary<string, long>> JobStatesAsync()
    {
        var rows = await Platform.RowsAsync("SELECT state, count(*) FROM scoring_jobs WHERE study_id = $1 GROUP BY state", StudyId);
        return rows.ToDictionary(r => (string)r[0], r => (long)r[1]);
    }

    /// <summary>Waits until the study has <paramref name="expected"/> jobs, all in <paramref name="finalStates"/> (default: succeeded).</summary>
    public async Task WaitForJobsAsync(int expected, TimeSpan timeout, params string[] finalStates)
    {
        string[] accepted = finalStates.Length > 0 ? finalStates : ["succeeded"];
        await Platform.WaitUntilAsync(async () =>
        {
            var states = await JobStatesAsync();
            return states.Where(s => accepted.Contains(s.Key)).Sum(s => s.Value) == expected && states.Values.Sum() == expected;
        }, timeout, $"{expected} job(s) of study {StudyId} to finish");
    }

    private Task<HttpResponseMessage> PostRecordingAsync(HttpContent content, string fileName, CancellationToken cancellationToken) =>
        Client.PostAsync($"/v1/studies/{StudyId}/participants/{ParticipantId}/recordings?fileName={Uri.EscapeDataString(fileName)}", content, cancellationToken);

    private static async Task<Guid> RecordingIdAsync(HttpResponseMessage response, string fileName, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>())
            : throw new InvalidOperationException($"upload {fileName}: {(int)response.StatusCode} {text}");
    }

    private static async Task<JsonNode> SendAsync(Task<HttpResponseMessage> request, string what)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? (text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!)
            : throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {text}");
    }
}

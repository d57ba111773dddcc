using EmiPlatform.Abstractions.Jobs;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EmiPlatform.Abstractions.Studies;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>One tenant's study and participant in a <see cref="ScoringCluster"/>, with the calls the tests make.</summary>
public sealed class Lab(ScoringCluster cluster, HttpClient client, Guid tenantId, Guid studyId, Guid participantId)
{
    public Guid TenantId { get; } = tenantId;
    public HttpClient Client { get; } = client;
    public Guid StudyId { get; } = studyId;
    public Guid ParticipantId { get; } = participantId;

    /// <summary>Uploads a recording (which queues its job); returns the recording's id.</summary>
    public async Task<Guid> UploadAsync(byte[] bytes, string fileName, string contentType = "audio/wav")
    {
        for (var attempt = 1; ; attempt++)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            var response = await Client.PostAsync($"/v1/studies/{StudyId}/participants/{ParticipantId}/recordings?fileName={fileName}", content);
            var text = await response.Content.ReadAsStringAsync();
            // As a client should: a 503 during a failover says when to try again.
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 5 && response.Headers.RetryAfter?.Delta is { } wait)
            {
                await Task.Delay(wait);
                continue;
            }
            Assert.True(response.IsSuccessStatusCode, $"upload {fileName}: {(int)response.StatusCode} {text}");
            return Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>());
        }
    }

    public IStudyGrain StudyGrain => cluster.Services.GetRequiredService<IGrainFactory>().GetGrain<IStudyGrain>(StudyId);

    /// <summary>A webhook to a port nobody listens on (deliveries fail and retry): the delivery rows are what tests count.</summary>
    public async Task<Guid> RegisterWebhookAsync()
    {
        var response = await Client.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/emi" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"webhook: {(int)response.StatusCode} {text}");
        return Guid.Parse(JsonNode.Parse(text)!["webhook"]!["id"]!.GetValue<string>());
    }

    /// <summary>Sets the tenant's share of scoring slots (null: the cluster's slots), as a platform admin does.</summary>
    public async Task SetShareAsync(int? maxConcurrentJobs)
    {
        var admin = cluster.Client(cluster.AdminKey);
        var response = await admin.PutAsJsonAsync($"/v1/admin/tenants/{TenantId}", new { name = "Scoring lab", maxConcurrentJobs });
        Assert.True(response.IsSuccessStatusCode, $"share: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Suspends or resumes the tenant (<paramref name="verb"/>: suspend, resume), as a platform admin does.</summary>
    public async Task SetStatusAsync(string verb)
    {
        var response = await cluster.Client(cluster.AdminKey).PostAsync($"/v1/admin/tenants/{TenantId}/{verb}", null);
        Assert.True(response.IsSuccessStatusCode, $"{verb}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<Dictionary<string, long>> JobStatesAsync()
    {
        var rows = await cluster.RowsAsync("SELECT state, count(*) FROM scoring_jobs WHERE study_id = $1 GROUP BY state", StudyId);
        return rows.ToDictionary(r => (string)r[0], r => (long)r[1]);
    }

    public async Task WaitForJobsAsync(int expected, TimeSpan timeout, params string[] finalStates)
    {
        string[] accepted = finalStates.Length > 0 ? finalStates : ["succeeded"];
        await cluster.WaitUntilAsync(async () =>
        {
            var states = await JobStatesAsync();
            return states.Where(s => accepted.Contains(s.Key)).Sum(s => s.Value) == expected && states.Values.Sum() == expected;
        }, timeout, $"{expected} job(s) of study {StudyId} to finish");
    }
}

using EmiPlatform.Abstractions.Jobs;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace EmiPlatform.Scoring.Tests.Infrastructure;

/// <summary>One tenant's study and participant in a <see cref="ScoringCluster"/>, with the calls the tests make.</summary>
public sealed class Lab(ScoringCluster cluster, HttpClient client, Guid studyId, Guid participantId)
{
    public HttpClient Client { get; } = client;
    public Guid StudyId { get; } = studyId;
    public Guid ParticipantId { get; } = participantId;

    /// <summary>Uploads a recording (which queues its job); returns the recording's id.</summary>
    public async Task<Guid> UploadAsync(byte[] bytes, string fileName, string contentType = "audio/wav")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await Client.PostAsync($"/v1/studies/{StudyId}/participants/{ParticipantId}/recordings?fileName={fileName}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"upload {fileName}: {(int)response.StatusCode} {text}");
        return Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>());
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

using System.Net.Http.Headers;
using System.Net.Http.Json;
using EmiPlatform.Api.Participants;
using EmiPlatform.Testing;


namespace EmiPlatform.Api.Tests.Infrastructure;

public static class Uploads
{
    public static string Path(Guid studyId, Guid participantId) => $"/v1/studies/{studyId}/participants/{participantId}/recordings";

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, Guid studyId, Guid participantId, byte[] bytes,
        string contentType = "video/mp4", string query = "?stimulus=joy-01&trial=1&fileName=clip.mp4")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        // Expect: 100-continue lets the server refuse (413, 404, 403) before the client sends a large body, as real clients do.
        var request = new HttpRequestMessage(HttpMethod.Post, Path(studyId, participantId) + query) { Content = content };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }

    /// <summary>A tenant, a study and a participant, ready for uploads.</summary>
    public static async Task<(string Key, Guid TenantId, Guid StudyId, Guid ParticipantId)> ParticipantAsync(ApiFactory api)
    {
        var (tenant, key) = await api.CreateTenantAsync();
        var study = await api.CreateStudyAsync(key);
        var response = await api.Client(key).PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" });
        var participant = (await response.Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!;
        return (key, tenant.Id, study.Id, participant.Id);
    }
}

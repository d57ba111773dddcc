using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace EmiPlatform.Bench;

/// <summary>One tenant's study and participant on a <see cref="BenchPlatform"/>, and the tenant's HTTP client.</summary>
internal sealed record BenchLab(HttpClient Client, Guid TenantId, Guid StudyId, Guid ParticipantId)
{
    /// <summary>Uploads a recording as `emi upload` does (one POST with the bytes; the job is queued when it returns); returns the recording's id.</summary>
    public async Task<Guid> UploadAsync(byte[] bytes, string fileName, string contentType = "audio/wav", CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await PostAsync(content, fileName, cancellationToken);
    }

    public async Task<Guid> UploadFileAsync(string file, string contentType, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await PostAsync(content, Path.GetFileName(file), cancellationToken);
    }

    private async Task<Guid> PostAsync(HttpContent content, string fileName, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsync(
            $"/v1/studies/{StudyId}/participants/{ParticipantId}/recordings?fileName={Uri.EscapeDataString(fileName)}", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>())
            : throw new InvalidOperationException($"upload {fileName}: {(int)response.StatusCode} {text}");
    }
}

using System.Text.Json;
using EmiPlatform.Api.Jobs;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Progress;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Tenants;
using EmiPlatform.Api.Webhooks;
using EmiPlatform.Data.Entities;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// One example per request and response type of the main flow (tenant → key → study → participant → upload → job →
/// progress), built from the DTOs themselves so the document's examples have exactly the shape the API serialises.
/// </summary>
public static class ApiExamples
{
    private static readonly DateTimeOffset Created = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);
    private static readonly Guid TenantId = Guid.Parse("019ad4c2-31f0-7c3e-9a51-4b1f2e8d7c60");
    private static readonly Guid KeyId = Guid.Parse("019ad4c2-31f1-7a02-8e44-0c9b5d3a1f27");
    private static readonly Guid StudyId = Guid.Parse("019ad4c3-05aa-7b19-b2c7-6e0d4f9a8b13");
    private static readonly Guid ParticipantId = Guid.Parse("019ad4c3-2b4e-71d8-a3f6-98c1e5b7d402");
    private static readonly Guid RecordingId = Guid.Parse("019ad4c4-7f10-7e65-9c28-d5a3b1f04e96");
    private static readonly Guid JobId = Guid.Parse("019ad4c4-8a02-74b3-8f1d-2c6e9a0b5d71");
    private static readonly Guid BundleId = Guid.Parse("019ad4b0-1c3d-7f8e-a9b0-c1d2e3f4a5b6");
    private static readonly Guid WebhookId = Guid.Parse("019ad4c5-0d9e-7a4b-b6c8-e1f2a3b4c5d6");

    private static readonly TenantDto Tenant = new(TenantId, "Mimicry Lab", TenantStatus.Active, 107_374_182_400, 10_000, 4,
        2_097_152, 1, Created, Created);

    private static readonly ApiKeyDto Key = new(KeyId, "uploader laptop", ApiKeyRole.Uploader, "emi_k7m2q4x6p3ab", Created, null, null);

    private static readonly WebhookDto Webhook = new(WebhookId, "https://lab.example.org/emi/hooks", "lab pipeline", "whsec_3fk9", Created,
        null, null, null);

    /// <summary>Example objects by the type whose schema they illustrate.</summary>
    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(TenantRequest)] = new TenantRequest("Mimicry Lab", 107_374_182_400, 10_000, 4),
        [typeof(TenantDto)] = Tenant,
        [typeof(TenantCreatedDto)] = new TenantCreatedDto(Tenant,
            new CreatedApiKeyDto(Key with { Name = "initial tenant admin", Role = ApiKeyRole.TenantAdmin }, "emi_k7m2q4x6p3ab_" + new string('q', 32))),
        [typeof(ApiKeyRequest)] = new ApiKeyRequest("uploader laptop", ApiKeyRole.Uploader),
        [typeof(ApiKeyDto)] = Key,
        [typeof(CreatedApiKeyDto)] = new CreatedApiKeyDto(Key, "emi_k7m2q4x6p3ab_" + new string('q', 32)),
        [typeof(StudyRequest)] = new StudyRequest("Mimicry pilot", "Reactions to 12 stimulus clips, two sessions."),
        [typeof(StudyDto)] = new StudyDto(StudyId, "Mimicry pilot", "Reactions to 12 stimulus clips, two sessions.", Created, Created),
        [typeof(ParticipantRequest)] = new ParticipantRequest("P017", JsonSerializer.SerializeToElement(new { session = 1, handedness = "left" })),
        [typeof(ParticipantDto)] = new ParticipantDto(ParticipantId, StudyId, "P017",
            JsonSerializer.SerializeToElement(new { session = 1, handedness = "left" }), Created, Created),
        [typeof(RecordingDto)] = new RecordingDto(RecordingId, StudyId, ParticipantId, "clip-03", "1", "P017_clip-03.mp4", "video/mp4",
            2_097_152, "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f", 12.48, "mov,mp4,m4a,3gp,3g2,mj2", true, true,
            "aac", 48_000, 1, "h264", 1280, 720, 30, 0, Created),
        [typeof(DirectUploadDto)] = new DirectUploadDto(RecordingId,
            new Uri($"https://emistore.blob.core.windows.net/recordings/staging/{RecordingId}?sv=2025-01-05&se=2026-11-30T09%3A30%3A00Z&sr=b&sp=cw&sig=REDACTED"),
            Created.AddMinutes(15), $"/v1/studies/{StudyId}/participants/{ParticipantId}/recordings/uploads/{RecordingId}/complete", 2_097_152, 2_097_152),
        [typeof(StartUploadRequest)] = new StartUploadRequest(2_097_152),
        [typeof(ContentLinkDto)] = new ContentLinkDto(
            new Uri($"https://emistore.blob.core.windows.net/recordings/{RecordingId}?sv=2025-01-05&se=2026-11-30T09%3A40%3A00Z&sr=b&sp=r&sig=REDACTED"),
            Created.AddMinutes(10)),
        [typeof(CompleteUploadRequest)] = new CompleteUploadRequest("P017_clip-03.mp4", "video/mp4", "clip-03", "1"),
        [typeof(JobDto)] = new JobDto(JobId, StudyId, RecordingId, "P017_clip-03.mp4", ParticipantId, "P017", new JobBundleDto(BundleId, "reference-tiny", "1.0.0", false), "succeeded",
            1, 3, 1, "silo-gpu-1", "CUDAExecutionProvider", null, Created, Created.AddSeconds(2), Created.AddSeconds(9), Created.AddSeconds(9)),
        [typeof(RescoreRequest)] = new RescoreRequest(BundleId),
        [typeof(RescoreStudyDto)] = new RescoreStudyDto(BundleId, 11, 1),
        [typeof(StudyProgressDto)] = new StudyProgressDto(Guid.Parse("019ad4c4-8a00-7000-8000-000000000001"), 4, 2, 5, 1, 0, 12, 62.4, 149.8,
            71.3, Created, null),
        [typeof(WebhookRequest)] = new WebhookRequest("https://lab.example.org/emi/hooks", "lab pipeline"),
        [typeof(WebhookDto)] = Webhook,
        [typeof(WebhookSecretDto)] = new WebhookSecretDto(Webhook, "whsec_3fk9" + new string('t', 28)),
    };

    public static bool TryGet(Type type, JsonSerializerOptions options, out JsonElement example)
    {
        if (Examples.TryGetValue(type, out var value))
        {
            example = JsonSerializer.SerializeToElement(value, type, options);
            return true;
        }
        example = default;
        return false;
    }
}

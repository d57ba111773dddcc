using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmiPlatform.Api.OpenApi;

/// <summary>
/// One sentence for each tag the endpoints use (Redocly's tag-description rule); a tag missing here is a linter
/// finding (tests/EmiPlatform.Api.Tests/OpenApiLintTests.cs), so a new group of endpoints gets its sentence.
/// </summary>
internal sealed class TagDescriptionsTransformer : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["Health"] = "Anonymous liveness and readiness probes.",
        ["Me"] = "Who the presented key is: its role and tenant.",
        ["Results"] = "Scored windows: timelines, per-recording aggregates and CSV exports (docs/results.md).",
        ["Admin: tenants"] = "The platform admin's tenants and their quotas.",
        ["Keys"] = "A tenant's API keys, managed by its tenant admins.",
        ["Studies"] = "Studies of a tenant, their live progress and events.",
        ["Participants"] = "Participants of a study, with their codes and metadata.",
        ["Recordings"] = "Uploaded recordings: upload, probe facts, content and deletion.",
        ["Admin: storage"] = "The platform admin's view of recording storage.",
        ["Scoring jobs"] = "The scoring jobs of a study: state, attempts, cancellation.",
        ["Model bundles"] = "The model bundles a tenant can score with, and a lab's own head bundles (docs/model-bundle.md).",
        ["Features"] = "A study's cached backbone features, to train heads on (docs/model-bundle.md).",
        ["Events"] = "Stimulus and baseline events inside recordings, and per-event results (docs/results.md).",
        ["Admin: model bundles"] = "The platform admin's registry of model bundles.",
        ["Webhooks"] = "HMAC-signed event deliveries to a tenant's endpoints.",
        ["Telemetry"] = "Prometheus metrics for the platform admin.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (tag.Name is { } name && Descriptions.TryGetValue(name, out var description))
            {
                tag.Description ??= description;
            }
        }
        return Task.CompletedTask;
    }
}

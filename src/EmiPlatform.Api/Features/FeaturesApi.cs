using EmiPlatform.Api.Auth;
using EmiPlatform.Api.Timelines;
using EmiPlatform.Bundles.Features;
using EmiPlatform.Data;
using EmiPlatform.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Problem = EmiPlatform.Api.Problems.Problem;

namespace EmiPlatform.Api.Features;

/// <summary>
/// <c>GET /v1/studies/{studyId}/features?branch=audio|visual[&amp;backbone=sha256]</c>: the study's cached backbone features,
/// one NPZ per recording (docs/model-bundle.md, "Feature files"), in a ZIP streamed as it is written. Only verified cache
/// entries leave: bytes that do not hash to their recorded SHA-256 are left out (and dropped by the cache).
/// </summary>
public static class FeaturesApi
{
    public static IEndpointRouteBuilder MapFeaturesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/studies/{studyId:guid}/features", Export).WithTags("Features").RequireAuthorization(Policies.TenantRead)
            .WithName("exportStudyFeatures").WithSummary("Download a study's cached backbone features")
            .WithDescription("A ZIP of <recording id>.<branch>.npz, one per recording with cached features of that branch from one backbone " +
                "(backbone=sha256 picks it when the study's recordings were scored with several). numpy.load reads each file; format in docs/model-bundle.md.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private const string EntriesSql = """
        SELECT r.id, r.original_file_name, p.code, r.sha256, e.backbone_sha256, e.blob_name, e.content_sha256
          FROM feature_cache_entries e
          JOIN recordings r ON r.id = e.recording_id AND r.tenant_id = @tenant
          JOIN participants p ON p.id = r.participant_id AND p.tenant_id = @tenant
         WHERE e.tenant_id = @tenant AND r.study_id = @study AND e.branch = @branch
         ORDER BY p.code, r.created_at, r.id, e.created_at DESC
        """;

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Export(
        Guid studyId, string? branch, string? backbone, HttpContext http, EmiDbContext db, CurrentTenant tenant, IBlobStore blobs, CancellationToken ct)
    {
        if (branch is not ("audio" or "visual"))
        {
            return Problem.Validation(new Dictionary<string, string[]> { ["branch"] = ["must be audio or visual"] });
        }
        var connection = await ResultQueries.OpenAsync(db, ct);
        if (!await ResultQueries.StudyExistsAsync(connection, tenant.Id, studyId, ct))
        {
            return Problem.NotFound("study");
        }
        var entries = new List<Row>();
        await using (var command = new NpgsqlCommand(EntriesSql, connection))
        {
            command.Parameters.AddWithValue("tenant", tenant.Id);
            command.Parameters.AddWithValue("study", studyId);
            command.Parameters.AddWithValue("branch", branch);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                entries.Add(new Row(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3).Trim(),
                    reader.GetString(4).Trim(), reader.GetString(5), reader.GetString(6).Trim()));
            }
        }
        var backbones = entries.Select(e => e.Backbone).Distinct().ToList();
        if (backbone is not null)
        {
            entries = [.. entries.Where(e => e.Backbone == backbone.Trim().ToLowerInvariant())];
        }
        else if (backbones.Count > 1)
        {
            return Problem.Validation(new Dictionary<string, string[]>
            {
                ["backbone"] = [$"the study's {branch} features come from {backbones.Count} backbones ({string.Join(", ", backbones)}); name one: a head trains on one backbone's features"],
            });
        }

        // Several keys of one recording and backbone (other decoding parameters): the newest, as the query orders them.
        var chosen = entries.GroupBy(e => e.RecordingId).Select(g => g.First()).ToList();
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"features-{studyId}-{branch}.zip\"";
        // ZipArchive writes synchronously; each NPZ is built in memory first, so a synchronous write is one buffer copy.
        if (http.Features.Get<IHttpBodyControlFeature>() is { } body)
        {
            body.AllowSynchronousIO = true;
        }
        var cache = new FeatureCacheBlobs(blobs);
        using (var zip = new System.IO.Compression.ZipArchive(http.Response.Body, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var row in chosen)
            {
                var read = await cache.ReadAsync(row.Blob, row.ContentSha256, ct);
                if (read.Status != FeatureBlobStatus.Verified)
                {
                    continue; // never hand out bytes that do not verify; the next score recomputes them
                }
                var entry = FeatureCacheEntry.Decode(read.Bytes);
                using var npz = new MemoryStream();
                using (var writer = new NpzWriter(npz))
                {
                    FeatureFile.Write(writer, entry, row.RecordingId, row.FileName, row.Participant);
                }
                using var target = zip.CreateEntry($"{row.RecordingId}.{branch}.npz", System.IO.Compression.CompressionLevel.NoCompression).Open();
                npz.Position = 0;
                npz.CopyTo(target);
            }
        }
        return TypedResults.Empty;
    }

    private sealed record Row(Guid RecordingId, string FileName, string Participant, string RecordingSha256, string Backbone, string Blob, string ContentSha256);
}

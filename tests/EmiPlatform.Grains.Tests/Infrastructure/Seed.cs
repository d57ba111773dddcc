using System.Security.Cryptography;
using EmiPlatform.Abstractions.Studies;
using Npgsql;

namespace EmiPlatform.Grains.Tests.Infrastructure;

/// <summary>
/// The rows a registration needs and the API would have written before asking a study grain (tenant, study,
/// participant, registered bundle, webhook), written with SQL as the database owner.
/// </summary>
public sealed class Seed(string ownerConnectionString)
{
    public const double RecordingSeconds = 12.5;

    public async Task<Guid> TenantAsync(int? maxConcurrentJobs = null, long? maxStorageBytes = null, int? maxRecordings = null, bool suspended = false)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO tenants (id, name, status, max_storage_bytes, max_recordings, max_concurrent_jobs, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, now(), now())
            """, id, $"lab-{id:N}", suspended ? "suspended" : "active", Nullable(maxStorageBytes), Nullable(maxRecordings), Nullable(maxConcurrentJobs));
        return id;
    }

    public async Task<Guid> StudyAsync(Guid tenantId)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO studies (id, tenant_id, name, created_at, updated_at) VALUES ($1, $2, $3, now(), now())",
            id, tenantId, $"study-{id:N}");
        return id;
    }

    public async Task<Guid> ParticipantAsync(Guid tenantId, Guid studyId)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO participants (id, tenant_id, study_id, code, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())",
            id, tenantId, studyId, $"p-{id:N}"[..20]);
        return id;
    }

    public async Task<Guid> BundleAsync()
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO model_bundles (id, name, version, trained, location, manifest, registered_at)
            VALUES ($1, 'reference', $2, false, '/seeded/reference', '{"seeded": true}', now())
            """, id, id.ToString("N"));
        return id;
    }

    public async Task<Guid> WebhookAsync(Guid tenantId)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO webhooks (id, tenant_id, url, secret, created_at) VALUES ($1, $2, 'http://127.0.0.1:9/hook', 'whsec_test', now())",
            id, tenantId);
        return id;
    }

    /// <summary>A stored, probed upload of <paramref name="bytes"/> (random when null), as the API asks a study grain to register it.</summary>
    public static RecordingRegistration Registration(Guid participantId, Guid bundleId, byte[]? bytes = null)
    {
        bytes ??= RandomNumberGenerator.GetBytes(64);
        var id = Guid.CreateVersion7();
        return new RecordingRegistration(id, participantId, bundleId, "joy-01", "1", $"{id:N}.wav", "audio/wav", bytes.Length,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), $"recordings/{id:N}",
            new RecordingMedia(RecordingSeconds, "wav", "pcm_s16le", 16000, 1, null, null, null, null, null, null));
    }

    private static object Nullable<T>(T? value) where T : struct => value is { } v ? v : DBNull.Value;

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new() { Value = value });
        }
        await command.ExecuteNonQueryAsync();
    }
}

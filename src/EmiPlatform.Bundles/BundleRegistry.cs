using System.Collections.Concurrent;
using EmiPlatform.Data;
using EmiPlatform.Data.Entities;
using Npgsql;

namespace EmiPlatform.Bundles;

/// <summary>
/// The model_bundles table and the bundles loaded from it. A bundle is registered once (name + version unique) and
/// loaded at most once per process; every pipeline in the process shares the loaded bundle.
/// </summary>
public sealed class BundleRegistry(EmiDataSources database, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<ModelBundle>>> _loaded = new();

    /// <summary>
    /// Validates the bundle directory and registers it; an already registered name + version returns the existing row
    /// (Created = false) and is never overwritten: a registered bundle is immutable.
    /// </summary>
    public async Task<(RegisteredBundle Bundle, bool Created)> RegisterAsync(string directory, CancellationToken cancellationToken)
    {
        var bundle = ModelBundle.Load(directory); // throws ModelBundleException for a bad directory or manifest
        var manifest = await File.ReadAllTextAsync(Path.Combine(bundle.Directory, "manifest.json"), cancellationToken);
        var row = new RegisteredBundle
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            Name = bundle.Name,
            Version = bundle.Version,
            Trained = bundle.Trained,
            Location = bundle.Directory,
            Manifest = manifest,
            RegisteredAt = clock.GetUtcNow(),
        };
        await using var command = database.Admin.CreateCommand("""
            INSERT INTO model_bundles (id, name, version, trained, location, manifest, registered_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = row.Id });
        command.Parameters.Add(new() { Value = row.Name });
        command.Parameters.Add(new() { Value = row.Version });
        command.Parameters.Add(new() { Value = row.Trained });
        command.Parameters.Add(new() { Value = row.Location });
        command.Parameters.Add(new() { Value = row.Manifest });
        command.Parameters.Add(new() { Value = row.RegisteredAt });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return (row, true);
        }
        var existing = await FindAsync(bundle.Name, bundle.Version, cancellationToken)
            ?? throw new InvalidOperationException($"Bundle {bundle.Name} {bundle.Version} conflicted but is not registered.");
        return (existing, false);
    }

    /// <summary>A platform bundle by name and version.</summary>
    public async Task<RegisteredBundle?> FindAsync(string name, string version, CancellationToken cancellationToken)
    {
        // Platform bundles only: a lab's own bundle of the same name and version is another bundle.
        await using var command = database.Admin.CreateCommand(Select + " WHERE tenant_id IS NULL AND name = $1 AND version = $2");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = version });
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<RegisteredBundle?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand(Select + " WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>The loaded bundle of a registered id (a platform bundle or a lab's own); loaded on first use and shared by every job after it.</summary>
    public Task<ModelBundle> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var lazy = _loaded.GetOrAdd(id, key => new Lazy<Task<ModelBundle>>(async () =>
        {
            var row = await FindAsync(key, CancellationToken.None) ?? throw new ModelBundleException($"Bundle {key} is not registered.");
            var bundle = ModelBundle.Load(row.Location);
            if (bundle.Name != row.Name || bundle.Version != row.Version)
            {
                throw new ModelBundleException(
                    $"The directory of bundle {row.Name} {row.Version} ({row.Location}) now holds {bundle.Name} {bundle.Version}; registered bundles are immutable.");
            }
            return bundle;
        }));
        var task = lazy.Value;
        if (task.IsFaulted)
        {
            _loaded.TryRemove(new(id, lazy)); // a failed load (e.g. a missing mount) is retried by the next job
        }
        return task.WaitAsync(cancellationToken);
    }

    private const string Select = "SELECT id, name, version, trained, location, manifest::text, registered_at, tenant_id FROM model_bundles";

    private static async Task<RegisteredBundle?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new RegisteredBundle
        {
            Id = reader.GetGuid(0),
            Name = reader.GetString(1),
            Version = reader.GetString(2),
            Trained = reader.GetBoolean(3),
            Location = reader.GetString(4),
            Manifest = reader.GetString(5),
            RegisteredAt = reader.GetFieldValue<DateTimeOffset>(6),
            TenantId = reader.IsDBNull(7) ? null : reader.GetGuid(7),
        };
    }
}

using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Data;
using EmiPlatform.Data.Migrations;
using EmiPlatform.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EmiPlatform.Api.Tests;

public sealed class MigratorTests
{
    private static SqlMigrator Migrator(PlatformDatabase db) => new(db.Owner, NullLogger<SqlMigrator>.Instance);

    private static readonly MigrationScript[] TwoScripts =
    [
        MigrationScript.Parse("0001_first.sql", "CREATE TABLE first_table (id int PRIMARY KEY);"),
        MigrationScript.Parse("0002_second.sql", "ALTER TABLE first_table ADD COLUMN note text; SELECT pg_sleep(0.3);"),
    ];

    [Fact]
    public async Task Applies_in_order_once_and_is_idempotent()
    {
        await using var db = await PlatformDatabase.CreateAsync();
        var applied = await Migrator(db).MigrateAsync(TwoScripts, default);
        Assert.Equal([1, 2], applied.Select(s => s.Version));
        Assert.Empty(await Migrator(db).MigrateAsync(TwoScripts, default));
        Assert.Empty(await Migrator(db).PendingAsync(TwoScripts, default));
        Assert.Equal(2L, await ScalarAsync(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Two_processes_migrating_at_once_apply_each_file_once()
    {
        await using var db = await PlatformDatabase.CreateAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(db).MigrateAsync(TwoScripts, default))));
        Assert.Equal(2, results.Sum(r => r.Count));
        Assert.Equal(2L, await ScalarAsync(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Refuses_to_run_when_an_applied_file_was_edited()
    {
        await using var db = await PlatformDatabase.CreateAsync();
        await Migrator(db).MigrateAsync(TwoScripts, default);
        MigrationScript[] edited = [MigrationScript.Parse("0001_first.sql", "CREATE TABLE first_table (id bigint PRIMARY KEY);"), TwoScripts[1]];

        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(db).MigrateAsync(edited, default));
        Assert.Contains("0001_first.sql was edited", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MigrationException>(() => Migrator(db).PendingAsync(edited, default));
    }

    [Fact]
    public async Task A_failing_file_is_rolled_back_whole_and_not_recorded()
    {
        await using var db = await PlatformDatabase.CreateAsync();
        MigrationScript[] broken = [TwoScripts[0], MigrationScript.Parse("0002_broken.sql", "CREATE TABLE half (id int); SELECT * FROM no_such_table;")];
        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(db).MigrateAsync(broken, default));
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync(db, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(false, await ScalarAsync(db, "SELECT to_regclass('half') IS NOT NULL"));
    }

    [Fact]
    public async Task The_embedded_catalog_is_numbered_without_gaps()
    {
        var versions = MigrationCatalog.Embedded().Select(s => s.Version).ToList();
        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }

    [Fact]
    public async Task The_ef_model_and_the_migrated_schema_agree()
    {
        await using var db = await PlatformDatabase.CreateAsync();
        await Migrator(db).MigrateAsync(MigrationCatalog.Embedded(), default);
        var columns = await ColumnsAsync(db);

        await using var context = new EmiDbContext(new DbContextOptionsBuilder<EmiDbContext>().UseNpgsql(db.Owner).Options);
        var model = context.GetService<IDesignTimeModel>().Model;
        var mismatches = new List<string>();
        foreach (var entity in model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!);
            var mapped = new HashSet<string>();
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(table)!;
                mapped.Add(column);
                var expected = (property.GetColumnType(), property.IsColumnNullable(table));
                if (!columns.TryGetValue((table.Name, column), out var actual))
                {
                    mismatches.Add($"{table.Name}.{column} is in the EF model but not in the schema");
                }
                else if (actual != expected)
                {
                    mismatches.Add($"{table.Name}.{column}: EF {expected}, schema {actual}");
                }
            }
            mismatches.AddRange(columns.Keys.Where(k => k.Table == table.Name && !mapped.Contains(k.Column))
                .Select(k => $"{k.Table}.{k.Column} is in the schema but not in the EF model"));
            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
            {
                var cols = string.Join(",", index.Properties.Select(p => p.GetColumnName(table)));
                if (!await UniqueIndexExistsAsync(db, table.Name, cols))
                {
                    mismatches.Add($"unique index on {table.Name}({cols}) is in the EF model but not in the schema");
                }
            }
        }
        Assert.Empty(mismatches);
    }

    private static async Task<Dictionary<(string Table, string Column), (string Type, bool Nullable)>> ColumnsAsync(PlatformDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'schema_migrations'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new Dictionary<(string, string), (string, bool)>();
        while (await reader.ReadAsync())
        {
            columns[(reader.GetString(0), reader.GetString(1))] = (reader.GetString(2), reader.GetBoolean(3));
        }
        return columns;
    }

    private static async Task<bool> UniqueIndexExistsAsync(PlatformDatabase db, string table, string columns)
    {
        await using var connection = new NpgsqlConnection(db.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT EXISTS (
              SELECT 1 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
              WHERE t.relname = @t AND i.indisunique
                AND (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) = @c)
            """, connection);
        command.Parameters.AddWithValue("t", table);
        command.Parameters.AddWithValue("c", columns);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<object?> ScalarAsync(PlatformDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

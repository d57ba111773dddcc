using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmiPlatform.Results;
using Npgsql;

namespace EmiPlatform.Bench;

/// <summary>
/// <c>export-compare</c> (issue 7 item 6): a study with N timeline rows exported as long CSV through the API host (a
/// separate process) vs PostgreSQL's own <c>COPY (…) TO STDOUT WITH CSV</c> of the same rows in the same order, as the
/// same role with the same tenant setting, alternating in one run. Both clients decode the UTF-8 text and count lines,
/// so each side does the same work on the receiving end. Prints API ÷ COPY throughput and the API's peak RSS.
/// </summary>
internal static class ExportBenchmark
{
    /// <summary>
    /// The export's long rows in the export's order, as one statement: recordings ordered and each one's chosen bundle
    /// (newest registered with a recording_scores row), then each recording's windows by primary key. The same access
    /// path the API uses, so neither side is handed a sort the other avoids. The value columns are the export's own
    /// (<see cref="ScoreColumns"/>); <c>{0}</c> and <c>{1}</c> are the tenant and the study.
    /// </summary>
    private static readonly string CopySql = $$"""
        COPY (
          WITH chosen AS MATERIALIZED (
            SELECT row_number() OVER (ORDER BY p.code, r.created_at, r.id) AS ord, s.name AS study, s.id AS study_id,
                   p.code AS participant, p.id AS participant_id, r.original_file_name AS recording, r.id AS recording_id,
                   r.stimulus, r.trial, b.bundle_id, b.name AS model_name, b.version AS model_version, b.trained AS model_trained
              FROM recordings r
              JOIN studies s ON s.id = r.study_id AND s.tenant_id = '{0}'
              JOIN participants p ON p.id = r.participant_id AND p.tenant_id = '{0}'
              JOIN LATERAL (SELECT rs.bundle_id, mb.name, mb.version, mb.trained
                              FROM recording_scores rs JOIN model_bundles mb ON mb.id = rs.bundle_id
                             WHERE rs.tenant_id = '{0}' AND rs.recording_id = r.id
                             ORDER BY mb.registered_at DESC, mb.name DESC, mb.version DESC LIMIT 1) b ON true
             WHERE r.tenant_id = '{0}' AND r.study_id = '{1}')
          SELECT c.study, c.study_id, c.participant, c.participant_id, c.recording, c.recording_id, c.stimulus, c.trial,
                 c.model_name, c.model_version, c.model_trained, w.window_index AS window, w.start_s, w.end_s,
                 {{ScoreColumns.SqlList("w.")}}
            FROM chosen c
           CROSS JOIN LATERAL (SELECT * FROM timeline_windows t
                                WHERE t.tenant_id = '{0}' AND t.recording_id = c.recording_id AND t.bundle_id = c.bundle_id
                                ORDER BY t.window_index) w
           ORDER BY c.ord, w.window_index
        ) TO STDOUT WITH (FORMAT csv, HEADER)
        """;

    public static async Task<int> RunAsync(string apiDll, string storageConnectionString, IReadOnlyDictionary<string, string> apiSettings,
        long rows, int recordings, int repeat, CancellationToken ct = default)
    {
        await using var api = await Platform.CreateAsync(Topology.Embedded, "bench",
            settings: new Dictionary<string, string>(apiSettings) { ["Storage:ConnectionString"] = storageConnectionString });
        Console.WriteLine($"starting the API: dotnet {apiDll} (fresh database {api.Database.Name}, container {api.Settings["Storage:Container"]})");
        await api.StartApiAsync(apiDll);
        var url = api.Http.BaseAddress!;

        var admin = Client(url, api.AdminKey);
        var tenant = await PostAsync(admin, "v1/admin/tenants", new { name = "export benchmark" }, ct);
        var tenantId = tenant.GetProperty("tenant").GetProperty("id").GetGuid();
        var lab = Client(url, tenant.GetProperty("adminKey").GetProperty("secret").GetString()!);
        var studyId = (await PostAsync(lab, "v1/studies", new { name = "export benchmark" }, ct)).GetProperty("id").GetGuid();

        var perRecording = (int)Math.Ceiling(rows / (double)recordings);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(api.Database.Owner, tenantId, studyId, recordings, perRecording, ct);
        var expected = (long)perRecording * recordings;
        Console.WriteLine($"seeded {expected} timeline rows ({recordings} recordings x {perRecording}) in {seeding.Elapsed.TotalSeconds:F1} s");

        var copySql = string.Format(CultureInfo.InvariantCulture, CopySql, tenantId, studyId);
        // Warm both paths once (JIT, connection pools, the tables in shared buffers); not counted.
        await ExportThroughApiAsync(lab, studyId, ct);
        await CopyAsync(api.Database.App, tenantId, copySql, ct);

        var apiRuns = new List<Measurement>();
        var copyRuns = new List<Measurement>();
        var idle = ProcessMemory.Read(api.Api!.Pid).Rss;
        long peak = 0;
        for (var run = 0; run < repeat; run++)
        {
            var copy = await CopyAsync(api.Database.App, tenantId, copySql, ct);
            copyRuns.Add(copy);
            Console.WriteLine($"  COPY TO STDOUT CSV: {copy}");

            Measurement viaApi;
            using (var sampler = new ProcessRssSampler(api.Api!.Pid))
            {
                viaApi = await ExportThroughApiAsync(lab, studyId, ct);
                sampler.Dispose();
                peak = Math.Max(peak, sampler.Peak);
            }
            apiRuns.Add(viaApi);
            Console.WriteLine($"  API export (long):  {viaApi}");
            if (viaApi.Rows != expected || copy.Rows != expected)
            {
                Console.Error.WriteLine($"row counts differ from the {expected} seeded: API {viaApi.Rows}, COPY {copy.Rows}");
                return 1;
            }
        }

        var apiRate = Median(apiRuns.Select(r => r.RowsPerSecond));
        var copyRate = Median(copyRuns.Select(r => r.RowsPerSecond));
        var hwm = ProcessMemory.Read(api.Api!.Pid).Hwm;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            API:  median {apiRate:F0} rows/s, best {apiRuns.Max(r => r.RowsPerSecond):F0} rows/s over {repeat} run(s)
            COPY: median {copyRate:F0} rows/s, best {copyRuns.Max(r => r.RowsPerSecond):F0} rows/s
            ratio API / COPY: median {apiRate / copyRate:F2}, best {apiRuns.Max(r => r.RowsPerSecond) / copyRuns.Max(r => r.RowsPerSecond):F2} (target >= 0.8)
            API RSS: idle {idle / 1048576.0:F0} MiB before the measured exports, peak during them {peak / 1048576.0:F0} MiB (+{(peak - idle) / 1048576.0:F0} MiB); process lifetime peak (VmHWM) {hwm / 1048576.0:F0} MiB
            """));
        return 0;
    }

    /// <summary>The columns the seed fills: every score random in [0, 1), like an untrained model's; both flags true; no face coverage.</summary>
    private static readonly ScoreColumn[] Seeded = [.. ScoreColumns.All.Where(c => c.IsSelectable || c.IsFlag)];

    /// <summary>Seeds a scored study straight into PostgreSQL (the load benchmark reads the same kind of study).</summary>
    internal static async Task SeedAsync(string owner, Guid tenantId, Guid studyId, int recordings, int perRecording, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(ct);
        // Server-side generation: seeding is not what is measured.
        await using var command = new NpgsqlCommand($$"""
            INSERT INTO model_bundles (id, name, version, trained, location, manifest, registered_at)
            VALUES (@bundle, 'bench-export', '0.0.0', false, '/bench/none', '{"bench": true}', now()) ON CONFLICT DO NOTHING; -- a second tenant's seeding shares it
            INSERT INTO participants (id, tenant_id, study_id, code, created_at, updated_at)
            SELECT gen_random_uuid(), @tenant, @study, 'P' || lpad(g::text, 4, '0'), now(), now()
              FROM generate_series(1, greatest(1, @recordings / 4)) g;
            INSERT INTO recordings (id, tenant_id, study_id, participant_id, stimulus, trial, original_file_name, content_type, size_bytes,
                                    sha256, blob_name, duration_seconds, format_name, audio_codec, video_codec, created_at)
            SELECT gen_random_uuid(), @tenant, @study, p.id, 'stimulus-' || g, '1', 'rec-' || g || '.mp4', 'video/mp4', 1,
                   lpad(to_hex(g), 64, '0'), 'bench/' || gen_random_uuid(), @per * 0.5, 'mov,mp4', 'aac', 'h264', clock_timestamp()
              FROM generate_series(1, @recordings) g
              JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM participants WHERE study_id = @study) p
                ON p.n = (g - 1) % greatest(1, @recordings / 4);
            INSERT INTO timeline_windows (tenant_id, recording_id, bundle_id, job_id, window_index, start_s, end_s,
                                          {{string.Join(", ", Seeded.Select(c => c.Name))}})
            SELECT @tenant, r.id, (SELECT id FROM model_bundles WHERE name = 'bench-export' AND version = '0.0.0'), r.id, i, i * 0.5, (i + 1) * 0.5, {{string.Join(", ", Seeded.Select(c => c.IsFlag ? "true" : "random()"))}}
              FROM recordings r CROSS JOIN generate_series(0, @per - 1) i
             WHERE r.study_id = @study;
            INSERT INTO recording_scores (tenant_id, recording_id, bundle_id, job_id, duration_seconds, window_count,
                                          {{string.Join(", ", Seeded.Select(c => c.Name))}}, scored_at)
            SELECT @tenant, recording_id, bundle_id, job_id, max(end_s), count(*),
                   {{string.Join(", ", Seeded.Select(c => c.IsFlag ? "true" : $"avg({c.Name})"))}}, now()
              FROM timeline_windows WHERE tenant_id = @tenant GROUP BY recording_id, bundle_id, job_id;
            ANALYZE recordings; ANALYZE timeline_windows; ANALYZE recording_scores;
            """, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("bundle", Guid.NewGuid());
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("study", studyId);
        command.Parameters.AddWithValue("recordings", recordings);
        command.Parameters.AddWithValue("per", perRecording);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Measurement> ExportThroughApiAsync(HttpClient lab, Guid studyId, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var response = await lab.GetAsync($"v1/studies/{studyId}/export?format=long", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        return await DrainAsync(reader, clock, ct);
    }

    private static async Task<Measurement> CopyAsync(string app, Guid tenantId, string copySql, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(app);
        await connection.OpenAsync(ct);
        // The application role under row-level security, exactly as the API's connection.
        await using (var tenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", connection))
        {
            tenant.Parameters.AddWithValue("t", tenantId.ToString());
            await tenant.ExecuteNonQueryAsync(ct);
        }
        using var reader = await connection.BeginTextExportAsync(copySql, ct);
        return await DrainAsync(reader, clock, ct);
    }

    /// <summary>Reads the text to its end counting lines and UTF-8 bytes; rows exclude the header line.</summary>
    private static async Task<Measurement> DrainAsync(TextReader reader, Stopwatch clock, CancellationToken ct)
    {
        var buffer = new char[64 * 1024];
        long lines = 0, bytes = 0;
        int n;
        while ((n = await reader.ReadAsync(buffer, ct)) > 0)
        {
            var chunk = buffer.AsSpan(0, n);
            lines += chunk.Count('\n');
            bytes += Encoding.UTF8.GetByteCount(chunk);
        }
        clock.Stop();
        return new Measurement(lines - 1, bytes, clock.Elapsed);
    }

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Measurement(long Rows, long Bytes, TimeSpan Elapsed)
    {
        public double RowsPerSecond => Rows / Elapsed.TotalSeconds;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Rows} rows, {Bytes / 1e6:F1} MB in {Elapsed.TotalSeconds:F2} s = {RowsPerSecond:F0} rows/s, {Bytes / 1e6 / Elapsed.TotalSeconds:F1} MB/s");
    }
}

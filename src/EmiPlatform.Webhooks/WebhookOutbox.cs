using EmiPlatform.Data;

namespace EmiPlatform.Webhooks;

/// <summary>
/// The deliverer's statements on webhook_deliveries. Cross-tenant, so on the admin role. A claim pushes the row's
/// next_attempt_at forward (a lease), so a deliverer that dies mid-send only delays the row until the lease runs out.
/// </summary>
public sealed class WebhookOutbox(EmiDataSources database)
{
    /// <summary>Due pending deliveries for one attempt each; <c>attempts</c> counts the attempt now.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, TimeSpan lease, IReadOnlyCollection<Guid> skipTenants, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            WITH due AS (
              SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
              WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.tenant_id <> ALL($3)
              ORDER BY d.next_attempt_at
              LIMIT $1
              FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + $2
            FROM due, webhooks w
            WHERE d.id = due.id AND w.id = d.webhook_id
            RETURNING d.id, d.event_id, d.attempts, d.payload, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, w.tenant_id
            """);
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = skipTenants.ToArray() });
        var claimed = new List<ClaimedDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedDelivery(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.GetGuid(8)));
        }
        return claimed;
    }

    /// <summary>
    /// Records an attempt: delivered, pending again after <paramref name="backoff"/>, or failed once
    /// <paramref name="maxAttempts"/> are used. Guarded by the attempt number, so a deliverer whose lease ran out
    /// (and whose row another one took) cannot overwrite the newer attempt.
    /// </summary>
    public async Task<string?> RecordAsync(ClaimedDelivery delivery, DeliveryAttempt attempt, int maxAttempts, TimeSpan backoff, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            UPDATE webhook_deliveries SET
              status = CASE WHEN $3 THEN 'delivered' WHEN attempts >= $6 THEN 'failed' ELSE 'pending' END,
              delivered_at = CASE WHEN $3 THEN now() END,
              next_attempt_at = CASE WHEN $3 OR attempts >= $6 THEN NULL ELSE now() + $7 END,
              last_status_code = $4,
              last_error = $5
            WHERE id = $1 AND attempts = $2 AND status = 'pending'
            RETURNING status
            """);
        command.Parameters.Add(new() { Value = delivery.Id });
        command.Parameters.Add(new() { Value = delivery.Attempt });
        command.Parameters.Add(new() { Value = attempt.Delivered });
        command.Parameters.Add(new() { Value = (object?)attempt.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = (object?)attempt.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = maxAttempts });
        command.Parameters.Add(new() { Value = backoff });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Pending rows whose attempts are used up although no attempt recorded it (their deliverer died mid-send every
    /// time): failed, so a receiver that crashes the deliverer cannot keep it busy forever.
    /// </summary>
    public async Task<int> FailExhaustedAsync(int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = database.Admin.CreateCommand("""
            UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
              last_error = coalesce(last_error, 'the deliverer stopped during the last attempt')
            WHERE status = 'pending' AND attempts >= $1 AND next_attempt_at <= now()
            """);
        command.Parameters.Add(new() { Value = maxAttempts });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

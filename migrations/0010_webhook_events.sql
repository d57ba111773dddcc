-- Webhook event bodies, defined once. Until now the job events were built by the trigger function of 0004 and the
-- study.completed event by SQL in the study grain's store; both now go through enqueue_webhook_event, which writes the
-- envelope (id, type, occurredAt, then the subject under its name) and one delivery per webhook of the tenant.
-- The bodies are the same bytes as before: jsonb orders the keys itself, so only the values decide the text.

-- Every timestamp in an event: UTC with microseconds and a Z, e.g. 2026-12-01T09:30:00.123456Z.
CREATE FUNCTION webhook_timestamp(p_at timestamptz) RETURNS text
    LANGUAGE sql STABLE SET search_path = public, pg_temp
AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- One event, delivered to each of the tenant's webhooks (all deliveries share the event id, Emi-Webhook-Id), each
-- with the exact body every attempt sends and signs. An event already enqueued for a webhook (the same job reaching
-- the same final state again, the same run completed twice) is not enqueued again.
-- SECURITY INVOKER: from the job trigger it runs as that trigger function's owner; from the study grain it runs on the
-- application role with the tenant set, so row-level security checks what it reads and writes.
CREATE FUNCTION enqueue_webhook_event(
    p_tenant uuid, p_type text, p_occurred_at timestamptz, p_subject_name text, p_subject jsonb,
    p_job uuid, p_job_state text, p_run uuid) RETURNS void
    LANGUAGE sql VOLATILE SET search_path = public, pg_temp
AS $$
    WITH event AS (SELECT gen_random_uuid() AS id)
    INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, job_id, job_state, run_id, payload,
                                    status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid(), w.tenant_id, w.id, e.id, p_type, p_job, p_job_state, p_run,
           jsonb_build_object('id', e.id, 'type', p_type, 'occurredAt', webhook_timestamp(p_occurred_at),
                              p_subject_name, p_subject)::text,
           'pending', 0, now(), now()
      FROM webhooks w, event e
     WHERE w.tenant_id = p_tenant
    ON CONFLICT DO NOTHING
$$;
REVOKE ALL ON FUNCTION enqueue_webhook_event(uuid, text, timestamptz, text, jsonb, uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_webhook_event(uuid, text, timestamptz, text, jsonb, uuid, text, uuid) TO emi_app, emi_admin;

-- job.succeeded, job.failed, job.cancelled: the trigger of 0004 (scoring_jobs_webhooks) calls this replaced function
-- in the transaction that moves a job to its final state. SECURITY DEFINER for the reason 0004 gives.
CREATE OR REPLACE FUNCTION enqueue_webhook_deliveries() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE tenant_id = NEW.tenant_id) THEN
        RETURN NULL;
    END IF;
    PERFORM enqueue_webhook_event(NEW.tenant_id, 'job.' || NEW.state, coalesce(NEW.finished_at, now()), 'job',
               jsonb_build_object(
                   'id', NEW.id,
                   'recordingId', NEW.recording_id,
                   'studyId', NEW.study_id,
                   'state', NEW.state,
                   'attempts', NEW.attempts,
                   'error', NEW.error,
                   'bundle', jsonb_build_object('id', b.id, 'name', b.name, 'version', b.version, 'trained', b.trained)),
               NEW.id, NEW.state, NULL)
      FROM model_bundles b WHERE b.id = NEW.bundle_id;
    RETURN NULL;
END
$$;

-- study.completed: the study grain calls this in the transaction that ends the run (StudyStore.CompleteRunAsync),
-- on the application role with the run's tenant set.
CREATE FUNCTION enqueue_study_completed(p_run uuid) RETURNS void
    LANGUAGE sql VOLATILE SET search_path = public, pg_temp
AS $$
    SELECT enqueue_webhook_event(run.tenant_id, 'study.completed', run.completed_at, 'study',
               jsonb_build_object(
                   'id', run.study_id,
                   'runId', run.id,
                   'startedAt', webhook_timestamp(run.started_at),
                   'completedAt', webhook_timestamp(run.completed_at),
                   'jobs', jsonb_build_object('total', c.total, 'succeeded', c.succeeded, 'failed', c.failed, 'cancelled', c.cancelled),
                   'recordingSecondsScored', c.seconds),
               NULL, NULL, run.id)
      FROM study_runs run,
           LATERAL (SELECT count(*) FILTER (WHERE j.state = 'succeeded') AS succeeded,
                           count(*) FILTER (WHERE j.state = 'failed') AS failed,
                           count(*) FILTER (WHERE j.state = 'cancelled') AS cancelled,
                           count(*) AS total,
                           coalesce(sum(r.duration_seconds) FILTER (WHERE j.state = 'succeeded'), 0) AS seconds
                      FROM scoring_jobs j JOIN recordings r ON r.id = j.recording_id
                     WHERE j.run_id = run.id) c
     WHERE run.id = p_run
$$;
REVOKE ALL ON FUNCTION enqueue_study_completed(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_study_completed(uuid) TO emi_app, emi_admin;

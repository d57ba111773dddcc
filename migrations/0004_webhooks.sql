-- Webhooks: callback URLs a tenant admin registers, and the outbox of deliveries the deliverer sends.
-- A delivery row is created by a trigger on scoring_jobs in the very transaction that moves a job to a final state,
-- whichever path does it (the worker's timeline transaction, a failed last attempt, the lease sweep, an API cancel),
-- so a completion is never announced before it is committed and never lost after it is.

CREATE TABLE webhooks (
    id           uuid PRIMARY KEY,
    tenant_id    uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url          varchar(2000) NOT NULL,
    description  varchar(200),
    -- The HMAC key. Kept (unlike an API key's secret, of which only a hash is stored) because every delivery is
    -- signed with it; the API shows it once and afterwards only its prefix.
    secret       varchar(100)  NOT NULL,
    created_at   timestamptz   NOT NULL
);
CREATE INDEX ix_webhooks_tenant_id ON webhooks (tenant_id);

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY,
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    webhook_id        uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- One event per job completion, shared by the deliveries to each of the tenant's webhooks (Emi-Webhook-Id).
    event_id          uuid        NOT NULL,
    event_type        text        NOT NULL CHECK (event_type IN ('job.succeeded', 'job.failed', 'job.cancelled')),
    job_id            uuid        NOT NULL REFERENCES scoring_jobs (id) ON DELETE CASCADE,
    job_state         text        NOT NULL,
    -- The exact body: every attempt sends (and signs) the same bytes.
    payload           text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer     NOT NULL DEFAULT 0,
    -- Pending: when the deliverer may (re)send it; also pushed forward while one deliverer holds it.
    next_attempt_at   timestamptz,
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    created_at        timestamptz NOT NULL,
    delivered_at      timestamptz,
    UNIQUE (webhook_id, job_id, job_state)
);
CREATE INDEX ix_webhook_deliveries_tenant_id ON webhook_deliveries (tenant_id);
CREATE INDEX ix_webhook_deliveries_webhook_id_created_at ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- SECURITY DEFINER: the job may be finished on the application role with the job's tenant set, or on the admin role;
-- the function (owned by the schema owner) reads the job's own tenant's webhooks either way and never another's.
CREATE FUNCTION enqueue_webhook_deliveries() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    event uuid := gen_random_uuid();
    body text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE tenant_id = NEW.tenant_id) THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_build_object(
             'id', event,
             'type', 'job.' || NEW.state,
             'occurredAt', to_char(coalesce(NEW.finished_at, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
             'job', jsonb_build_object(
                 'id', NEW.id,
                 'recordingId', NEW.recording_id,
                 'studyId', NEW.study_id,
                 'state', NEW.state,
                 'attempts', NEW.attempts,
                 'error', NEW.error,
                 'bundle', jsonb_build_object('id', b.id, 'name', b.name, 'version', b.version, 'trained', b.trained)))::text
      INTO body
      FROM model_bundles b WHERE b.id = NEW.bundle_id;
    INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, job_id, job_state, payload, status,
                                    attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid(), w.tenant_id, w.id, event, 'job.' || NEW.state, NEW.id, NEW.state, body, 'pending', 0, now(), now()
      FROM webhooks w
     WHERE w.tenant_id = NEW.tenant_id
    -- A job that reaches the same final state twice (a retried write, an operator's requeue) is announced once.
    ON CONFLICT (webhook_id, job_id, job_state) DO NOTHING;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION enqueue_webhook_deliveries() FROM PUBLIC;

CREATE TRIGGER scoring_jobs_webhooks
    AFTER UPDATE OF state ON scoring_jobs
    FOR EACH ROW
    WHEN (NEW.state IN ('succeeded', 'failed', 'cancelled') AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION enqueue_webhook_deliveries();

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY tenant_isolation ON webhook_deliveries USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

-- The application role manages its tenant's webhooks and reads their deliveries; the deliverer works across tenants
-- on the admin role.
GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries TO emi_app, emi_admin;

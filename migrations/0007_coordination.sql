-- Coordination by Orleans grains (docs/architecture.md): a tenant's share of the scoring slots, and a study's
-- scoring runs, which end with exactly one study.completed event each.

-- Jobs of one tenant released to the scoring transport at once (sent or running); NULL = the cluster's slot count.
ALTER TABLE tenants ADD COLUMN max_concurrent_jobs integer CHECK (max_concurrent_jobs >= 1);

-- A run starts when a study's job is queued while none of its jobs is queued or running, and ends (completed_at)
-- when none is left. The study grain completes it with a conditional UPDATE, in the transaction that enqueues its
-- study.completed deliveries: a run is completed, and announced, once.
CREATE TABLE study_runs (
    id            uuid PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    study_id      uuid        NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    started_at    timestamptz NOT NULL,
    completed_at  timestamptz
);
CREATE INDEX ix_study_runs_tenant_id ON study_runs (tenant_id);
-- At most one open run per study.
CREATE UNIQUE INDEX ux_study_runs_open ON study_runs (study_id) WHERE completed_at IS NULL;

ALTER TABLE scoring_jobs ADD COLUMN run_id uuid REFERENCES study_runs (id) ON DELETE CASCADE;
CREATE INDEX ix_scoring_jobs_run_id ON scoring_jobs (run_id);
-- The tenant grain's scheduling scan.
CREATE INDEX ix_scoring_jobs_tenant_queued ON scoring_jobs (tenant_id, created_at) WHERE state IN ('queued', 'running');

ALTER TABLE study_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON study_runs USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
GRANT SELECT, INSERT, UPDATE ON study_runs TO emi_app, emi_admin;

-- study.completed deliveries belong to a run, not a job.
ALTER TABLE webhook_deliveries ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN job_state DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD COLUMN run_id uuid REFERENCES study_runs (id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_type_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_type_check
    CHECK (event_type IN ('job.succeeded', 'job.failed', 'job.cancelled', 'study.completed'));
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_subject_check
    CHECK ((event_type = 'study.completed') = (run_id IS NOT NULL AND job_id IS NULL));
CREATE UNIQUE INDEX ux_webhook_deliveries_run ON webhook_deliveries (webhook_id, run_id) WHERE run_id IS NOT NULL;

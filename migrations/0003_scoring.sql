-- Scoring: registered model bundles, scoring jobs (the source of truth; messages only wake workers), and the
-- timelines and per-recording aggregates they produce, keyed by recording and bundle so a study can be re-scored
-- with a new bundle while the old results stay queryable.

CREATE TABLE model_bundles (
    id             uuid PRIMARY KEY,
    name           varchar(200)  NOT NULL,
    version        varchar(100)  NOT NULL,
    trained        boolean       NOT NULL,
    -- Where workers load it from (a directory holding manifest.json); immutable once registered.
    location       varchar(1000) NOT NULL,
    manifest       jsonb         NOT NULL,
    registered_at  timestamptz   NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE scoring_jobs (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    study_id            uuid          NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    recording_id        uuid          NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    bundle_id           uuid          NOT NULL REFERENCES model_bundles (id),
    state               text          NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts            integer       NOT NULL DEFAULT 0,
    max_attempts        integer       NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    progress            real          NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    worker              varchar(200),
    execution_provider  varchar(50),
    lease_expires_at    timestamptz,
    error               text,
    created_at          timestamptz   NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz   NOT NULL
);
CREATE INDEX ix_scoring_jobs_tenant_id ON scoring_jobs (tenant_id);
CREATE INDEX ix_scoring_jobs_study_id_state ON scoring_jobs (study_id, state);
CREATE INDEX ix_scoring_jobs_recording_id ON scoring_jobs (recording_id);
-- The dispatcher's and lease sweeper's scans.
CREATE INDEX ix_scoring_jobs_state_lease ON scoring_jobs (state, lease_expires_at) WHERE state IN ('queued', 'running');

-- One row per timeline window. Values in [0, 1]; audio_emi / visual_emi are the branch predictions before fusion
-- (null where the branch had none), in the bundle's emotion order; vad is null without audio.
CREATE TABLE timeline_windows (
    tenant_id       uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    recording_id    uuid             NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    bundle_id       uuid             NOT NULL REFERENCES model_bundles (id),
    job_id          uuid             NOT NULL,
    window_index    integer          NOT NULL,
    start_s         double precision NOT NULL,
    end_s           double precision NOT NULL,
    admiration      real             NOT NULL,
    amusement       real             NOT NULL,
    determination   real             NOT NULL,
    empathic_pain   real             NOT NULL,
    excitement      real             NOT NULL,
    joy             real             NOT NULL,
    valence         real,
    arousal         real,
    dominance       real,
    audio_emi       real[],
    visual_emi      real[],
    has_audio       boolean          NOT NULL,
    has_video       boolean          NOT NULL,
    PRIMARY KEY (recording_id, bundle_id, window_index)
);
CREATE INDEX ix_timeline_windows_tenant_id ON timeline_windows (tenant_id);

-- One row per recording and bundle: the aggregate over the whole recording.
CREATE TABLE recording_scores (
    tenant_id         uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    recording_id      uuid             NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    bundle_id         uuid             NOT NULL REFERENCES model_bundles (id),
    job_id            uuid             NOT NULL,
    duration_seconds  double precision NOT NULL,
    window_count      integer          NOT NULL,
    admiration        real             NOT NULL,
    amusement         real             NOT NULL,
    determination     real             NOT NULL,
    empathic_pain     real             NOT NULL,
    excitement        real             NOT NULL,
    joy               real             NOT NULL,
    valence           real,
    arousal           real,
    dominance         real,
    has_audio         boolean          NOT NULL,
    has_video         boolean          NOT NULL,
    scored_at         timestamptz      NOT NULL,
    PRIMARY KEY (recording_id, bundle_id)
);
CREATE INDEX ix_recording_scores_tenant_id ON recording_scores (tenant_id);

ALTER TABLE scoring_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE timeline_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE recording_scores ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scoring_jobs USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY tenant_isolation ON timeline_windows USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY tenant_isolation ON recording_scores USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

-- Bundles are platform-wide: every tenant may read the registry, only the admin role may change it.
GRANT SELECT ON model_bundles TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON model_bundles TO emi_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON scoring_jobs, timeline_windows, recording_scores TO emi_app, emi_admin;

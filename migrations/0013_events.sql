-- Stimulus events inside recordings (issue 26): what the participant saw when, in seconds from the recording's start.
-- Windows are joined to their event when they are read (docs/results.md), never copied into timeline rows, so setting
-- a recording's events again needs no re-score. The rows belong to the recording: they cascade with it, and so with its
-- participant, study and tenant, whichever erasure removes it.
CREATE TABLE recording_events (
    tenant_id     uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    recording_id  uuid             NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    -- One PUT's events share a set id: a replacement inserts the new set, then deletes the others (see EventStore for
    -- why inserting first cannot deadlock with an erasure of the recording).
    set_id        uuid             NOT NULL,
    -- The event's position in its recording, by onset, from 0.
    event_index   integer          NOT NULL CHECK (event_index >= 0),
    onset_s       double precision NOT NULL CHECK (onset_s >= 0),
    offset_s      double precision NOT NULL,
    kind          varchar(50)      NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_-]*$'),
    stimulus      varchar(200),
    trial         varchar(200),
    condition     varchar(200),
    CHECK (offset_s > onset_s),
    PRIMARY KEY (recording_id, set_id, event_index)
);
CREATE INDEX ix_recording_events_tenant_id ON recording_events (tenant_id);

ALTER TABLE recording_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recording_events USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

GRANT SELECT, INSERT, DELETE ON recording_events TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON recording_events TO emi_admin;

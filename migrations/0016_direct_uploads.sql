-- Open direct uploads (issue 23, bulkheads): each write SAS handed out by POST …/recordings/uploads has a row here
-- until its recording is registered or the sweep finds it expired. The rows bound how many uploads a tenant may have
-- open (Recordings:MaxOpenDirectUploads), reserve each one's bytes against the tenant's storage quota while its blob
-- sits in staging, and tell the storage sweep which staging blobs are still wanted: one without an open row is an
-- orphan (written through a SAS after complete, or left by an expired upload) and goes at once, not after the grace.
CREATE TABLE direct_uploads (
    -- The recording the upload becomes: the staging blob's name and the complete URL are derived from it.
    recording_id    uuid        PRIMARY KEY,
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    study_id        uuid        NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    participant_id  uuid        NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    -- The size the client declared at start (sizeBytes), if it did; complete refuses a larger blob.
    declared_bytes  bigint      CHECK (declared_bytes > 0),
    -- What the upload holds of the tenant's storage quota while open: declared_bytes, else Recordings:MaxUploadBytes.
    reserved_bytes  bigint      NOT NULL CHECK (reserved_bytes > 0),
    created_at      timestamptz NOT NULL,
    -- The write SAS's expiry: past it the upload holds neither a slot nor a reservation.
    expires_at      timestamptz NOT NULL
);
CREATE INDEX ix_direct_uploads_tenant_id_expires_at ON direct_uploads (tenant_id, expires_at);
CREATE INDEX ix_direct_uploads_expires_at ON direct_uploads (expires_at);
CREATE INDEX ix_direct_uploads_participant_id ON direct_uploads (participant_id);
CREATE INDEX ix_direct_uploads_study_id ON direct_uploads (study_id);

ALTER TABLE direct_uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON direct_uploads USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

-- The app role opens and completes its tenant's uploads; the sweep and the tenant grain (admin role) read every
-- tenant's and delete the expired ones.
GRANT SELECT, INSERT, DELETE ON direct_uploads TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON direct_uploads TO emi_admin;

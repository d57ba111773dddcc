-- Recordings: one uploaded audio/video file of a participant, stored as a blob, probed with ffprobe.
-- Tenant usage counters are kept by a trigger so quotas hold however rows arrive or leave (cascades included).

ALTER TABLE tenants
    ADD COLUMN used_storage_bytes bigint  NOT NULL DEFAULT 0,
    ADD COLUMN used_recordings    integer NOT NULL DEFAULT 0;

CREATE TABLE recordings (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid           NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    study_id            uuid           NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    participant_id      uuid           NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    stimulus            varchar(200),
    trial               varchar(200),
    original_file_name  varchar(255)   NOT NULL,
    content_type        varchar(200)   NOT NULL,
    size_bytes          bigint         NOT NULL CHECK (size_bytes > 0),
    sha256              char(64)       NOT NULL,
    blob_name           varchar(400)   NOT NULL,
    duration_seconds    double precision NOT NULL,
    format_name         varchar(200)   NOT NULL,
    audio_codec         varchar(100),
    sample_rate         integer,
    audio_channels      integer,
    video_codec         varchar(100),
    width               integer,
    height              integer,
    frame_rate          double precision,
    rotation            integer,
    created_at          timestamptz    NOT NULL,
    CHECK (audio_codec IS NOT NULL OR video_codec IS NOT NULL)
);
-- The same bytes uploaded again for the same participant are the same recording (idempotent uploads).
CREATE UNIQUE INDEX ix_recordings_participant_id_sha256 ON recordings (participant_id, sha256);
CREATE UNIQUE INDEX ix_recordings_blob_name ON recordings (blob_name);
CREATE INDEX ix_recordings_tenant_id ON recordings (tenant_id);
CREATE INDEX ix_recordings_study_id ON recordings (study_id);

ALTER TABLE recordings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recordings USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

-- Raises SQLSTATE EMIQ1 when a new recording would exceed the tenant's quota. The conditional UPDATE takes the
-- tenant row's lock and PostgreSQL re-checks the condition after waiting, so concurrent uploads never overshoot.
CREATE FUNCTION recordings_track_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE tenants
           SET used_storage_bytes = used_storage_bytes + NEW.size_bytes,
               used_recordings = used_recordings + 1
         WHERE id = NEW.tenant_id
           AND (max_storage_bytes IS NULL OR used_storage_bytes + NEW.size_bytes <= max_storage_bytes)
           AND (max_recordings IS NULL OR used_recordings + 1 <= max_recordings);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'recording quota exceeded for tenant %', NEW.tenant_id USING ERRCODE = 'EMIQ1';
        END IF;
        RETURN NEW;
    END IF;
    UPDATE tenants
       SET used_storage_bytes = used_storage_bytes - OLD.size_bytes,
           used_recordings = used_recordings - 1
     WHERE id = OLD.tenant_id;
    RETURN OLD;
END $$;

CREATE TRIGGER recordings_track_usage AFTER INSERT OR DELETE ON recordings
    FOR EACH ROW EXECUTE FUNCTION recordings_track_usage();

GRANT SELECT, INSERT, DELETE ON recordings TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON recordings TO emi_admin;
-- Only the usage counters, never the quotas: the application role keeps them current through the trigger.
GRANT UPDATE (used_storage_bytes, used_recordings) ON tenants TO emi_app;

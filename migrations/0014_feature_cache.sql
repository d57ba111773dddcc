-- The feature cache (docs/model-bundle.md, "Feature cache"): each backbone's per-step features of a recording, stored
-- as a blob under the recording's blob name, one row per entry here. The row holds the SHA-256 of the blob's bytes (a
-- read that does not hash to it is recomputed, never used), and its size counts in the tenant's storage usage.
ALTER TABLE tenants
    ADD COLUMN max_feature_cache_bytes  bigint CHECK (max_feature_cache_bytes >= 0),
    ADD COLUMN used_feature_cache_bytes bigint NOT NULL DEFAULT 0;

CREATE TABLE feature_cache_entries (
    tenant_id        uuid         NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    recording_id     uuid         NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    key_sha256       character(64) NOT NULL,
    branch           text         NOT NULL CHECK (branch IN ('audio', 'visual')),
    backbone_sha256  character(64) NOT NULL,
    blob_name        text         NOT NULL,
    content_sha256   character(64) NOT NULL,
    size_bytes       bigint       NOT NULL CHECK (size_bytes >= 0),
    created_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (recording_id, key_sha256)
);
CREATE INDEX feature_cache_entries_tenant ON feature_cache_entries (tenant_id);

ALTER TABLE feature_cache_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feature_cache_entries USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

-- Raises SQLSTATE EMIQ2 when an entry would take the tenant's cache past max_feature_cache_bytes (the worker then
-- keeps scoring without caching). Cached bytes count in used_storage_bytes as well: GET /v1/me shows them.
CREATE FUNCTION feature_cache_track_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE tenants
           SET used_storage_bytes = used_storage_bytes + NEW.size_bytes,
               used_feature_cache_bytes = used_feature_cache_bytes + NEW.size_bytes
         WHERE id = NEW.tenant_id
           AND (max_feature_cache_bytes IS NULL OR used_feature_cache_bytes + NEW.size_bytes <= max_feature_cache_bytes);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'feature cache bound reached for tenant %', NEW.tenant_id USING ERRCODE = 'EMIQ2';
        END IF;
        RETURN NEW;
    END IF;
    UPDATE tenants
       SET used_storage_bytes = used_storage_bytes - OLD.size_bytes,
           used_feature_cache_bytes = used_feature_cache_bytes - OLD.size_bytes
     WHERE id = OLD.tenant_id;
    RETURN OLD;
END $$;

CREATE TRIGGER feature_cache_track_usage AFTER INSERT OR DELETE ON feature_cache_entries
    FOR EACH ROW EXECUTE FUNCTION feature_cache_track_usage();

GRANT SELECT, INSERT, DELETE ON feature_cache_entries TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON feature_cache_entries TO emi_admin;
GRANT UPDATE (used_feature_cache_bytes) ON tenants TO emi_app;

-- Which backbone made a score's features per branch, and whether they came from the cache (NULL: branch not scored).
ALTER TABLE recording_scores
    ADD COLUMN audio_backbone_sha256  character(64),
    ADD COLUMN audio_features_cached  boolean,
    ADD COLUMN visual_backbone_sha256 character(64),
    ADD COLUMN visual_features_cached boolean;

-- A lab's own bundles (docs/model-bundle.md, "A lab's own bundles"): a tenant admin registers a head bundle that
-- only its tenant sees and scores with. tenant_id NULL is a platform bundle, visible to every tenant as before.
ALTER TABLE model_bundles ADD COLUMN tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE;

-- name + version is unique per owner: two labs may both call theirs "my-head" 1.0.0 without learning of each other.
-- The API refuses a tenant bundle that takes a platform bundle's name + version, so within what one tenant sees
-- (platform + its own) name + version still names one bundle.
ALTER TABLE model_bundles DROP CONSTRAINT model_bundles_name_version_key;
CREATE UNIQUE INDEX model_bundles_owner_name_version
    ON model_bundles (COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), name, version);
CREATE INDEX model_bundles_tenant ON model_bundles (tenant_id) WHERE tenant_id IS NOT NULL;

-- The app role sees platform bundles and its tenant's own, and may register only its own; emi_admin (BYPASSRLS)
-- keeps registering platform bundles and the workers keep loading any bundle by id.
ALTER TABLE model_bundles ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_bundles ON model_bundles FOR SELECT
    USING (tenant_id IS NULL OR tenant_id = current_tenant_id());
CREATE POLICY own_bundles ON model_bundles FOR INSERT
    WITH CHECK (tenant_id IS NOT NULL AND tenant_id = current_tenant_id());
GRANT INSERT ON model_bundles TO emi_app;

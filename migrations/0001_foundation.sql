-- Tenants, API keys, studies and participants, with row-level security for the application role.
-- Roles emi_app (RLS applies) and emi_admin (BYPASSRLS) are provisioned outside migrations (infra/postgres.sh, docs/operations.md).

CREATE TABLE tenants (
    id                 uuid PRIMARY KEY,
    name               varchar(200) NOT NULL,
    status             text         NOT NULL CHECK (status IN ('active', 'suspended')),
    max_storage_bytes  bigint       CHECK (max_storage_bytes >= 0),
    max_recordings     integer      CHECK (max_recordings >= 0),
    created_at         timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL
);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    tenant_id     uuid         NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    public_id     varchar(32)  NOT NULL,
    secret_hash   bytea        NOT NULL,
    name          varchar(200) NOT NULL,
    role          text         NOT NULL CHECK (role IN ('tenant_admin', 'uploader', 'analyst')),
    created_at    timestamptz  NOT NULL,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
CREATE UNIQUE INDEX ix_api_keys_public_id ON api_keys (public_id);
CREATE INDEX ix_api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE studies (
    id           uuid PRIMARY KEY,
    tenant_id    uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         varchar(200)  NOT NULL,
    description  varchar(4000),
    created_at   timestamptz   NOT NULL,
    updated_at   timestamptz   NOT NULL
);
CREATE INDEX ix_studies_tenant_id_created_at ON studies (tenant_id, created_at);

CREATE TABLE participants (
    id          uuid PRIMARY KEY,
    tenant_id   uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    study_id    uuid          NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    code        varchar(100)  NOT NULL,
    metadata    jsonb,
    created_at  timestamptz   NOT NULL,
    updated_at  timestamptz   NOT NULL
);
CREATE UNIQUE INDEX ix_participants_study_id_code ON participants (study_id, code);
CREATE INDEX ix_participants_tenant_id ON participants (tenant_id);

-- The application role sees only the rows of the tenant its connection declared (app.tenant_id); with no
-- tenant declared the setting is empty and nothing matches.
CREATE FUNCTION current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE studies ENABLE ROW LEVEL SECURITY;
ALTER TABLE participants ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON tenants USING (id = current_tenant_id()) WITH CHECK (id = current_tenant_id());
CREATE POLICY tenant_isolation ON api_keys USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY tenant_isolation ON studies USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY tenant_isolation ON participants USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());

GRANT USAGE ON SCHEMA public TO emi_app, emi_admin;
GRANT EXECUTE ON FUNCTION current_tenant_id() TO emi_app, emi_admin;
-- A tenant cannot create, rename or delete itself; only the admin role can.
GRANT SELECT ON tenants TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys, studies, participants TO emi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, api_keys, studies, participants TO emi_admin;
GRANT SELECT ON schema_migrations TO emi_app, emi_admin;

-- Orleans's ADO.NET clustering (membership) and reminder providers, in a schema of their own.
--
-- The providers ship no SQL. At start-up they read `SELECT QueryKey, QueryText FROM OrleansQuery` (unqualified, so the
-- connection string's `Search Path=orleans` finds it) and from then on run only the query texts stored there, binding
-- parameters by name (@DeploymentId, @Version, ...) and reading result columns by name. Everything below is ours as
-- long as those keys, parameter names, result columns and version checks hold; docs/orleans-sql.md explains each.
--
-- The schema and everything in it belong to emi_orleans, a role provisioned outside migrations like the others
-- (infra/postgres.sh, docs/operations.md). It has no row-level security: these rows belong to the cluster, not to a
-- tenant. emi_app and emi_admin get no access at all.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'emi_orleans') THEN
        RAISE EXCEPTION 'role emi_orleans does not exist: create it and GRANT emi_orleans TO %, see docs/operations.md', current_user;
    END IF;
    IF NOT pg_has_role(current_user, 'emi_orleans', 'MEMBER') THEN
        RAISE EXCEPTION '% is not a member of emi_orleans: GRANT emi_orleans TO %, see docs/operations.md', current_user, current_user;
    END IF;
END $$;

CREATE SCHEMA orleans AUTHORIZATION emi_orleans;

-- Create what follows as emi_orleans so that it owns it; RESET ROLE at the end hands the transaction back to the
-- migrator, which records this file in public.schema_migrations.
SET LOCAL ROLE emi_orleans;

-- The query catalogue. The providers refuse to start when one of their keys is missing.
CREATE TABLE orleans.orleansquery (
    querykey   text PRIMARY KEY,
    querytext  text NOT NULL
);

---------------------------------------------------------------------------------------------------------------------
-- Membership. One version row per cluster (Orleans calls the cluster id "DeploymentId") and one row per silo
-- incarnation (address, port, generation). Every change to a silo row is conditional on the version the writer read
-- and moves it on by exactly one: that is Orleans's extended membership protocol. I-am-alive heartbeats and clean-up
-- are not versioned.

CREATE TABLE orleans.membership_version (
    cluster_id  text        PRIMARY KEY,
    version     integer     NOT NULL DEFAULT 0,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orleans.membership_silo (
    cluster_id       text        NOT NULL REFERENCES orleans.membership_version (cluster_id) ON DELETE CASCADE,
    address          text        NOT NULL,
    port             integer     NOT NULL,
    generation       integer     NOT NULL,
    silo_name        text        NOT NULL,
    host_name        text        NOT NULL,
    status           integer     NOT NULL,  -- Orleans's SiloStatus: 3 is Active, 6 is Dead
    proxy_port       integer     NOT NULL,  -- the gateway port; 0 when the silo is no gateway
    suspect_times    text,                  -- "silo,time|silo,time", written and parsed by Orleans only
    start_time       timestamptz NOT NULL,
    i_am_alive_time  timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Both versioned writes take the version row's lock only while it still holds the version the caller read. A writer
-- that waits on that lock sees the committed row afterwards, finds the version moved on, and gets 0. A write that
-- cannot be done (duplicate insert, update of a missing silo) returns 0 before anything has changed.
CREATE FUNCTION orleans.membership_insert(
    p_cluster_id text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive_time timestamptz,
    p_expected_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM orleans.membership_version
     WHERE cluster_id = p_cluster_id AND version = p_expected_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO orleans.membership_silo
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    VALUES
        (p_cluster_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start_time,
         p_i_am_alive_time)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleans.membership_version SET version = version + 1, changed_at = now() WHERE cluster_id = p_cluster_id;
    RETURN 1;
END $$;

CREATE FUNCTION orleans.membership_update(
    p_cluster_id text, p_address text, p_port integer, p_generation integer, p_status integer, p_suspect_times text,
    p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM orleans.membership_version
     WHERE cluster_id = p_cluster_id AND version = p_expected_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    -- The writer may have read the row before the silo's latest heartbeat: never move the heartbeat backwards.
    UPDATE orleans.membership_silo
       SET status = p_status, suspect_times = p_suspect_times,
           i_am_alive_time = greatest(i_am_alive_time, p_i_am_alive_time)
     WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleans.membership_version SET version = version + 1, changed_at = now() WHERE cluster_id = p_cluster_id;
    RETURN 1;
END $$;

-- The cluster's version with its silos (all of them, or the one named). The version row comes back even when no
-- silo matches, with the silo columns null: Orleans reads "no StartTime" as "no member" and still takes the version.
-- The output columns carry the names Orleans reads.
CREATE FUNCTION orleans.membership_read(p_cluster_id text, p_address text, p_port integer, p_generation integer)
RETURNS TABLE ("Address" text, "Port" integer, "Generation" integer, "SiloName" text, "HostName" text,
               "Status" integer, "ProxyPort" integer, "SuspectTimes" text, "StartTime" timestamptz,
               "IAmAliveTime" timestamptz, "Version" integer)
LANGUAGE sql STABLE AS $$
    SELECT s.address, s.port, s.generation, s.silo_name, s.host_name, s.status, s.proxy_port, s.suspect_times,
           s.start_time, s.i_am_alive_time, v.version
      FROM orleans.membership_version v
      LEFT JOIN orleans.membership_silo s
        ON s.cluster_id = v.cluster_id
       AND (p_address IS NULL OR (s.address = p_address AND s.port = p_port AND s.generation = p_generation))
     WHERE v.cluster_id = p_cluster_id
$$;

INSERT INTO orleans.orleansquery (querykey, querytext) VALUES
-- Creates the cluster's version row (version 0) unless it exists; a count above 0 means this call created it.
('InsertMembershipVersionKey', $q$
    WITH created AS (
        INSERT INTO orleans.membership_version (cluster_id) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) FROM created
$q$),
('InsertMembershipKey', $q$
    SELECT orleans.membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                     @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),
('UpdateMembershipKey', $q$
    SELECT orleans.membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                     @IAmAliveTime, @Version)
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE orleans.membership_silo SET i_am_alive_time = @IAmAliveTime
     WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('MembershipReadAllKey', $q$
    SELECT * FROM orleans.membership_read(@DeploymentId, NULL, NULL, NULL)
$q$),
('MembershipReadRowKey', $q$
    SELECT * FROM orleans.membership_read(@DeploymentId, @Address, @Port, @Generation)
$q$),
-- Clients find gateways here: silos in the status asked for (Orleans asks for Active) that have a gateway port.
('GatewaysQueryKey', $q$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
      FROM orleans.membership_silo
     WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
-- Clean-up of dead silos' rows. Orleans 10.4 prefers the optional CleanupDefunctSiloEntryKey when the catalogue has
-- it: the provider reads the table, picks the Dead rows whose start, heartbeat and suspicion votes all predate the
-- cut-off, and deletes each only if it still holds the values it read (a row changed since is left for next time).
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM orleans.membership_silo
     WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
       AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
       AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$),
-- The older whole-table form stays required at start-up and is what a provider without the key above runs: Dead rows
-- that started and last heart-beat before the cut-off (@IAmAliveTime).
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM orleans.membership_silo
     WHERE cluster_id = @DeploymentId AND status = 6 AND start_time < @IAmAliveTime AND i_am_alive_time < @IAmAliveTime
$q$),
-- The whole cluster: its silos go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM orleans.membership_version WHERE cluster_id = @DeploymentId
$q$);

---------------------------------------------------------------------------------------------------------------------
-- Reminders. Orleans's "ServiceId" scopes them (it outlives cluster ids). The grain hash is Orleans's uniform hash,
-- a uint that Orleans sends cast to a signed int; ranges are compared on that signed value, which is how Orleans picks
-- between its two range queries. The ETag is an integer (Orleans parses it as one) drawn from a sequence on every
-- insert and update, so it changes on every upsert and a reminder deleted and registered again never gets back an
-- ETag a stale caller may still hold.

CREATE SEQUENCE orleans.reminder_etag AS integer CYCLE;

CREATE TABLE orleans.reminder (
    service_id     text        NOT NULL,
    grain_id       text        NOT NULL,
    reminder_name  text        NOT NULL,
    start_time     timestamptz NOT NULL,
    period_ms      bigint      NOT NULL,
    grain_hash     integer     NOT NULL,
    etag           integer     NOT NULL DEFAULT nextval('orleans.reminder_etag'),
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
-- Each silo reads the reminders of its slice of the hash ring.
CREATE INDEX ix_reminder_service_id_grain_hash ON orleans.reminder (service_id, grain_hash);

INSERT INTO orleans.orleansquery (querykey, querytext) VALUES
-- Returns the row's new ETag, read by Orleans from a column named Version.
('UpsertReminderRowKey', $q$
    INSERT INTO orleans.reminder AS r (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash)
    ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
       SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
           etag = nextval('orleans.reminder_etag')
    RETURNING r.etag AS "Version"
$q$),
('ReadReminderRowKey', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
           etag AS "Version"
      FROM orleans.reminder
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),
('ReadReminderRowsKey', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
           etag AS "Version"
      FROM orleans.reminder
     WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),
-- The range (BeginHash, EndHash] when it does not wrap: Orleans uses this key when BeginHash < EndHash (signed).
('ReadRangeRows1Key', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
           etag AS "Version"
      FROM orleans.reminder
     WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),
-- The range that wraps past the top of the ring (BeginHash >= EndHash); equal bounds mean the whole ring.
('ReadRangeRows2Key', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
           etag AS "Version"
      FROM orleans.reminder
     WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),
-- Deletes only when the caller's ETag (bound as @Version) is the current one; a count above 0 means it did.
('DeleteReminderRowKey', $q$
    WITH gone AS (
        DELETE FROM orleans.reminder
         WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND etag = @Version
        RETURNING 1)
    SELECT count(*) FROM gone
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM orleans.reminder WHERE service_id = @ServiceId
$q$);

-- New functions are executable by PUBLIC by default; nobody outside emi_orleans has USAGE on the schema anyway, but
-- say it outright.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA orleans FROM PUBLIC;

RESET ROLE;

-- Cluster membership for Orleans' ADO.NET clustering provider on PostgreSQL.
-- Written for Clarity from the provider's contract (docs: ORLEANS-NOTES.md 1.3). Idempotent; runs
-- after postgres-persistence.sql (which creates OrleansQuery) in the same locked transaction.
--
-- One version row per cluster (DeploymentId = ClusterId). Every member row's ETag is that version,
-- and inserts and updates are compare-and-swap on it: the UPDATE of the version row takes its row
-- lock, so of two concurrent writers with the same expected version only one succeeds.

CREATE TABLE IF NOT EXISTS clarity_membership_version (
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    modified_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS clarity_membership (
    deployment_id text        NOT NULL,
    address       text        NOT NULL,
    port          integer     NOT NULL,
    generation    integer     NOT NULL,
    silo_name     text        NOT NULL,
    host_name     text        NOT NULL,
    status        integer     NOT NULL,
    proxy_port    integer     NOT NULL,
    suspect_times text,
    start_time    timestamptz NOT NULL,
    iamalive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Create the version row if missing; exactly one row, one column: 1 if created, else 0.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
WITH created AS (
    INSERT INTO clarity_membership_version (deployment_id, version)
    VALUES (@DeploymentId, 0)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM created;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The version row joined with every member (at least one row while the cluster exists).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
SELECT v.deployment_id AS DeploymentId, v.version AS Version,
       m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status,
       m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.iamalive_time AS IAmAliveTime
FROM clarity_membership_version v
LEFT JOIN clarity_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The version row joined with one member (its columns NULL when that member is absent).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
SELECT v.deployment_id AS DeploymentId, v.version AS Version,
       m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status,
       m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.iamalive_time AS IAmAliveTime
FROM clarity_membership_version v
LEFT JOIN clarity_membership m ON m.deployment_id = v.deployment_id
    AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Insert a member only if the version still matches and the member is new; bump the version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
WITH bumped AS (
    UPDATE clarity_membership_version
    SET version = version + 1, modified_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM clarity_membership
          WHERE deployment_id = @DeploymentId AND address = @Address
            AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), inserted AS (
    INSERT INTO clarity_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         suspect_times, start_time, iamalive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           NULL, @StartTime, @IAmAliveTime
    FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM inserted;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Update a member's status, suspicions and liveness only if the version still matches; bump it.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE clarity_membership_version
    SET version = version + 1, modified_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
    RETURNING deployment_id
), updated AS (
    UPDATE clarity_membership m
    SET status = @Status, suspect_times = @SuspectTimes, iamalive_time = @IAmAliveTime
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT count(*)::integer FROM updated;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Liveness heartbeat: no version change.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE clarity_membership
SET iamalive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address
  AND port = @Port AND generation = @Generation;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Gateways for clients: active silos that accept client connections.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
FROM clarity_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
DELETE FROM clarity_membership WHERE deployment_id = @DeploymentId;
DELETE FROM clarity_membership_version WHERE deployment_id = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Forget members that stopped heartbeating before the cutoff and are not active.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM clarity_membership
WHERE deployment_id = @DeploymentId AND iamalive_time < @IAmAliveTime AND status <> 3;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

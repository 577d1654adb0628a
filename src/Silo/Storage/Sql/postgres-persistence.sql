-- Clarity's grain state table for Orleans' ADO.NET persistence provider on PostgreSQL.
-- Written for Clarity from the provider's contract (docs: ORLEANS-NOTES.md 1.1-1.2). Idempotent:
-- run at every start inside one transaction that holds an advisory lock, so silos starting
-- together neither race nor fail.
--
-- The natural key is (service, state name, N0, N1, string key). A NULL string key is stored as ''
-- so that the primary key enforces uniqueness; every query coalesces the same way.

CREATE TABLE IF NOT EXISTS clarity_grain_state (
    service_id      text        NOT NULL,
    state_name      text        NOT NULL,
    key_n0          bigint      NOT NULL,
    key_n1          bigint      NOT NULL,
    key_string      text        NOT NULL,
    key_hash        integer     NOT NULL,
    state_name_hash integer     NOT NULL,
    payload         bytea,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, key_n0, key_n1, key_string)
);

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);

-- Read: zero or one row with PayloadBinary and Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT payload AS PayloadBinary, version AS Version
FROM clarity_grain_state
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
  AND key_string = COALESCE(@GrainIdExtensionString, '''');
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Write: compare-and-swap on the version. With a known version, update only when it still
-- matches; with none, insert version 1 only when no row exists. At most one row comes back with
-- the new version; none means another writer won, which Orleans reports as a conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
WITH updated AS (
    UPDATE clarity_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND service_id = @ServiceId AND state_name = @GrainTypeString
      AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
      AND key_string = COALESCE(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version
), inserted AS (
    INSERT INTO clarity_grain_state
        (service_id, state_name, key_n0, key_n1, key_string, key_hash, state_name_hash, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''),
           @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT version FROM inserted;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear: keep the row, drop the payload, bump the version (first column = new version).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE clarity_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
  AND key_string = COALESCE(@GrainIdExtensionString, '''')
  AND version = @GrainStateVersion
RETURNING version;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Delete (used when DeleteStateOnClear is set): remove the row; return a value that differs
-- from the old version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM clarity_grain_state
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
  AND key_string = COALESCE(@GrainIdExtensionString, '''')
  AND version = @GrainStateVersion
RETURNING version + 1;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

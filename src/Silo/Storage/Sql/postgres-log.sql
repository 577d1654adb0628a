-- Clarity's signal log on PostgreSQL: every accepted signal, append-only. Idempotent.
--
-- The unique (tenant, user, signal id) is the durable deduplication: an append that conflicts is
-- a duplicate. position is a cluster-wide sequence; per user it grows in the order the user's
-- grain appended (one activation appends one batch at a time), which is what snapshots record.
--
-- position has no index of its own. Every query names the tenant and the user (replay, export,
-- erasure, deduplication), so the two indexes below answer all of them; a third one, updated on
-- every insert, cost 24 bytes of index a row and WAL for nothing. Uniqueness does not
-- need the index: the identity's sequence never hands out a value twice, and GENERATED ALWAYS
-- refuses values written by hand.
CREATE TABLE IF NOT EXISTS clarity_signal_log (
    position  bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    tenant_id text        NOT NULL,
    user_id   text        NOT NULL,
    signal_id text        NOT NULL,
    payload   text        NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clarity_signal_log_signal UNIQUE (tenant_id, user_id, signal_id)
);

-- Replay, export and erasure read one user's entries in position order.
CREATE INDEX IF NOT EXISTS clarity_signal_log_user ON clarity_signal_log (tenant_id, user_id, position);

-- Recorded rerank decisions: the newest N per user (the grain prunes as it writes), read back for
-- audit, export and feedback after a reactivation. seq orders one user's decisions; like position
-- it is unique by its sequence and has no index of its own: reading, pruning (older than the
-- user's Nth newest seq) and erasure all name the tenant and the user.
CREATE TABLE IF NOT EXISTS clarity_decisions (
    seq         bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    tenant_id   text        NOT NULL,
    user_id     text        NOT NULL,
    decision_id text        NOT NULL,
    payload     text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clarity_decisions_decision UNIQUE (tenant_id, user_id, decision_id)
);

CREATE INDEX IF NOT EXISTS clarity_decisions_user ON clarity_decisions (tenant_id, user_id, seq);

-- Upgrade of tables created before: they had a primary key on position and on seq. It is dropped
-- whatever it was called, and only when present, so a start with nothing to upgrade takes no lock
-- stronger than the statements above. Logical replication needs a replica identity to publish
-- erasures (deletes), which the primary key used to be; the dedup constraint serves instead (unique,
-- NOT NULL columns) and costs nothing unless wal_level is logical. Runs under the schema lock.
DO $$
DECLARE
    upgraded regclass;
    pkey name;
BEGIN
    FOREACH upgraded IN ARRAY ARRAY['clarity_signal_log'::regclass, 'clarity_decisions'::regclass] LOOP
        SELECT conname INTO pkey FROM pg_constraint WHERE conrelid = upgraded AND contype = 'p';
        IF pkey IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', upgraded, pkey);
        END IF;
    END LOOP;
    IF (SELECT relreplident FROM pg_class WHERE oid = 'clarity_signal_log'::regclass) = 'd' THEN
        ALTER TABLE clarity_signal_log REPLICA IDENTITY USING INDEX clarity_signal_log_signal;
    END IF;
    IF (SELECT relreplident FROM pg_class WHERE oid = 'clarity_decisions'::regclass) = 'd' THEN
        ALTER TABLE clarity_decisions REPLICA IDENTITY USING INDEX clarity_decisions_decision;
    END IF;
END
$$;

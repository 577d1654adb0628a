-- Clarity's signal log on PostgreSQL: every accepted signal, append-only. Idempotent.
--
-- The unique (tenant, user, signal id) is the durable deduplication: an append that conflicts is
-- a duplicate. position is a cluster-wide sequence; per user it grows in the order the user's
-- grain appended (one activation appends one batch at a time), which is what snapshots record.
CREATE TABLE IF NOT EXISTS clarity_signal_log (
    position  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
-- audit, export and feedback after a reactivation. seq orders one user's decisions.
CREATE TABLE IF NOT EXISTS clarity_decisions (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   text        NOT NULL,
    user_id     text        NOT NULL,
    decision_id text        NOT NULL,
    payload     text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clarity_decisions_decision UNIQUE (tenant_id, user_id, decision_id)
);

CREATE INDEX IF NOT EXISTS clarity_decisions_user ON clarity_decisions (tenant_id, user_id, seq);

-- Clarity's signal log on the embedded SQLite store. Idempotent. Same shape as postgres-log.sql;
-- AUTOINCREMENT so that a position is never reused after an erasure.
CREATE TABLE IF NOT EXISTS clarity_signal_log (
    position  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    signal_id TEXT NOT NULL,
    payload   TEXT NOT NULL,
    logged_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (tenant_id, user_id, signal_id)
);

CREATE INDEX IF NOT EXISTS clarity_signal_log_user ON clarity_signal_log (tenant_id, user_id, position);

-- Recorded rerank decisions, the newest N per user. Same shape as in postgres-log.sql.
CREATE TABLE IF NOT EXISTS clarity_decisions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    payload     TEXT NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (tenant_id, user_id, decision_id)
);

CREATE INDEX IF NOT EXISTS clarity_decisions_user ON clarity_decisions (tenant_id, user_id, seq);

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

-- gse: events the store refused gse.sink_max_attempts times, set aside by
-- the transport's SinkGuard so they stop blocking the host's later events
-- (the host itself is failed with the reason). Kept for an operator: the
-- task and host, the kind of event, why, and the event as JSON (a blob: the
-- refused data need not be valid text).
CREATE TABLE IF NOT EXISTS gse_set_aside (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL,
  host_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  event BLOB NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_gse_set_aside_created ON gse_set_aside (created_at);

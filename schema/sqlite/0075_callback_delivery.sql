-- execute: job callbacks waiting to be delivered, written with the job's final status.
-- state: 0 pending, 2 delivered, 3 given up. next_attempt_at doubles as the claim:
-- a sender moves it past its lease before posting. history is a JSON array of attempts.
CREATE TABLE IF NOT EXISTS callback_delivery (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_instance_id INTEGER NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  history TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_callback_delivery_due ON callback_delivery (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS idx_callback_delivery_job ON callback_delivery (job_instance_id);
-- Callbacks an older version had queued but not sent: the payload is built when they are sent.
INSERT INTO callback_delivery (job_instance_id, url, payload, state, attempts, next_attempt_at, last_error, history, create_time, update_time)
SELECT id, callback_url, '', 0, 0, 0, '', '[]', update_time, update_time FROM task_instance
WHERE callback_status = 1 AND callback_url <> '';

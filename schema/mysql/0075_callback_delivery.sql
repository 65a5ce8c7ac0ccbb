-- execute: job callbacks waiting to be delivered, written with the job's final status.
-- state: 0 pending, 2 delivered, 3 given up. next_attempt_at doubles as the claim:
-- a sender moves it past its lease before posting. history is a JSON array of attempts.
CREATE TABLE IF NOT EXISTS callback_delivery (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_instance_id BIGINT NOT NULL,
  url VARCHAR(1024) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  state INT NOT NULL DEFAULT 0,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  last_error VARCHAR(1024) NOT NULL DEFAULT '',
  history MEDIUMTEXT NOT NULL,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  KEY idx_callback_delivery_due (state, next_attempt_at),
  KEY idx_callback_delivery_job (job_instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- Callbacks an older version had queued but not sent: the payload is built when they are sent.
INSERT INTO callback_delivery (job_instance_id, url, payload, state, attempts, next_attempt_at, last_error, history, create_time, update_time)
SELECT id, callback_url, '', 0, 0, 0, '', '[]', update_time, update_time FROM task_instance
WHERE callback_status = 1 AND callback_url <> '';

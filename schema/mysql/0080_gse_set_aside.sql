-- gse: events the store refused gse.sink_max_attempts times, set aside by
-- the transport's SinkGuard so they stop blocking the host's later events
-- (the host itself is failed with the reason). Kept for an operator: the
-- task and host, the kind of event, why, and the event as JSON (a blob: the
-- refused data need not be valid text).
CREATE TABLE IF NOT EXISTS gse_set_aside (
  id BIGINT NOT NULL AUTO_INCREMENT,
  task_id VARCHAR(191) NOT NULL,
  host_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  reason VARCHAR(1024) NOT NULL DEFAULT '',
  event MEDIUMBLOB NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_gse_set_aside_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

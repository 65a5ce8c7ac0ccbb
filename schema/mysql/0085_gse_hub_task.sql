-- gse: what the hub dispatched to which host's agent, so a hub that restarts
-- can tell a task an agent lists in its hello (dispatched here, still
-- running) from one it never dispatched (refused) or one already ended (its
-- late reports are acknowledged and ignored). file_job is the run_file spec
-- (sources, limits; never a script), so reads resume after a restart.
-- Rows are marked ended once the final result is delivered and deleted a day
-- later.
CREATE TABLE IF NOT EXISTS gse_hub_task (
  host_id BIGINT NOT NULL,
  task_id VARCHAR(191) NOT NULL,
  agent_id VARCHAR(64) NOT NULL DEFAULT '',
  kind VARCHAR(16) NOT NULL DEFAULT '',
  file_job MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL,
  ended_at DATETIME(3) NULL,
  PRIMARY KEY (host_id, task_id),
  KEY idx_gse_hub_task_created (created_at),
  KEY idx_gse_hub_task_ended (ended_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

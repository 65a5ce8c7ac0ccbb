-- gse: what the hub dispatched to which host's agent, so a hub that restarts
-- can tell a task an agent lists in its hello (dispatched here, still
-- running) from one it never dispatched (refused) or one already ended (its
-- late reports are acknowledged and ignored). file_job is the run_file spec
-- (sources, limits; never a script), so reads resume after a restart.
-- Rows are marked ended once the final result is delivered and deleted a day
-- later.
CREATE TABLE IF NOT EXISTS gse_hub_task (
  host_id INTEGER NOT NULL,
  task_id TEXT NOT NULL,
  agent_id TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  file_job TEXT NULL,
  created_at DATETIME NOT NULL,
  ended_at DATETIME NULL,
  PRIMARY KEY (host_id, task_id)
);
CREATE INDEX IF NOT EXISTS idx_gse_hub_task_created ON gse_hub_task (created_at);
CREATE INDEX IF NOT EXISTS idx_gse_hub_task_ended ON gse_hub_task (ended_at);

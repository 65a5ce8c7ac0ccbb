-- execute: task instances, step instances, per-host results. Times are Unix milliseconds.
CREATE TABLE IF NOT EXISTS task_instance (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  biz_id INTEGER NOT NULL,
  scope_type TEXT NOT NULL DEFAULT 'biz',
  scope_id TEXT NOT NULL DEFAULT '',
  plan_id INTEGER NOT NULL DEFAULT 0,
  template_id INTEGER NOT NULL DEFAULT 0,
  cron_id INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  operator TEXT NOT NULL DEFAULT '',
  app_code TEXT NOT NULL DEFAULT '',
  startup_mode INTEGER NOT NULL,
  status INTEGER NOT NULL,
  current_step_id INTEGER NOT NULL DEFAULT 0,
  callback_url TEXT NOT NULL DEFAULT '',
  callback_status INTEGER NOT NULL DEFAULT 0,
  is_debug_task INTEGER NOT NULL DEFAULT 0,
  create_time INTEGER NOT NULL,
  start_time INTEGER NOT NULL DEFAULT 0,
  end_time INTEGER NOT NULL DEFAULT 0,
  total_time INTEGER NOT NULL DEFAULT 0,
  update_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_task_instance_biz_time ON task_instance (biz_id, create_time);
CREATE INDEX IF NOT EXISTS idx_task_instance_status ON task_instance (status);
CREATE INDEX IF NOT EXISTS idx_task_instance_callback ON task_instance (callback_status);
CREATE TABLE IF NOT EXISTS step_instance (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_instance_id INTEGER NOT NULL REFERENCES task_instance (id),
  step_id INTEGER NOT NULL DEFAULT 0,
  step_order INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  operator TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL,
  execute_count INTEGER NOT NULL DEFAULT 0,
  batch INTEGER NOT NULL DEFAULT 0,
  total_batch INTEGER NOT NULL DEFAULT 0,
  rolling_mode INTEGER NOT NULL DEFAULT 0,
  rolling_expr TEXT NOT NULL DEFAULT '',
  ignore_error INTEGER NOT NULL DEFAULT 0,
  timeout INTEGER NOT NULL DEFAULT 7200,
  script_detail TEXT NOT NULL DEFAULT '',
  file_detail TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL,
  start_time INTEGER NOT NULL DEFAULT 0,
  end_time INTEGER NOT NULL DEFAULT 0,
  total_time INTEGER NOT NULL DEFAULT 0,
  update_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_step_instance_task ON step_instance (task_instance_id, step_order);
CREATE TABLE IF NOT EXISTS step_instance_host (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_instance_id INTEGER NOT NULL REFERENCES step_instance (id),
  seq INTEGER NOT NULL,
  batch INTEGER NOT NULL DEFAULT 0,
  host_id INTEGER NOT NULL,
  cloud_id INTEGER NOT NULL DEFAULT 0,
  ip TEXT NOT NULL DEFAULT '',
  ipv6 TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  invalid_status INTEGER NOT NULL DEFAULT 0,
  UNIQUE (step_instance_id, host_id)
);
CREATE INDEX IF NOT EXISTS idx_step_instance_host_batch ON step_instance_host (step_instance_id, batch, seq);
CREATE TABLE IF NOT EXISTS step_instance_rolling_task (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_instance_id INTEGER NOT NULL REFERENCES step_instance (id),
  execute_count INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  status INTEGER NOT NULL,
  start_time INTEGER NOT NULL DEFAULT 0,
  end_time INTEGER NOT NULL DEFAULT 0,
  total_time INTEGER NOT NULL DEFAULT 0,
  UNIQUE (step_instance_id, execute_count, batch)
);
CREATE TABLE IF NOT EXISTS gse_task (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_instance_id INTEGER NOT NULL REFERENCES step_instance (id),
  execute_count INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  status INTEGER NOT NULL,
  gse_task_id TEXT NOT NULL,
  dispatched INTEGER NOT NULL DEFAULT 0,
  claim_time INTEGER NOT NULL DEFAULT 0,
  stop_time INTEGER NOT NULL DEFAULT 0,
  timeout INTEGER NOT NULL DEFAULT 7200,
  start_time INTEGER NOT NULL DEFAULT 0,
  end_time INTEGER NOT NULL DEFAULT 0,
  total_time INTEGER NOT NULL DEFAULT 0,
  UNIQUE (step_instance_id, execute_count, batch)
);
CREATE INDEX IF NOT EXISTS idx_gse_task_status ON gse_task (status);
CREATE TABLE IF NOT EXISTS gse_execute_obj_task (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_instance_id INTEGER NOT NULL,
  execute_count INTEGER NOT NULL,
  actual_execute_count INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  gse_task_id INTEGER NOT NULL DEFAULT 0,
  mode INTEGER NOT NULL DEFAULT 1,
  host_id INTEGER NOT NULL,
  cloud_id INTEGER NOT NULL DEFAULT 0,
  ip TEXT NOT NULL DEFAULT '',
  ipv6 TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL,
  exit_code INTEGER NOT NULL DEFAULT 0,
  error_code INTEGER NOT NULL DEFAULT 0,
  error_msg TEXT NOT NULL DEFAULT '',
  tag TEXT NOT NULL DEFAULT '',
  log_offset INTEGER NOT NULL DEFAULT 0,
  start_time INTEGER NOT NULL DEFAULT 0,
  end_time INTEGER NOT NULL DEFAULT 0,
  total_time INTEGER NOT NULL DEFAULT 0,
  UNIQUE (step_instance_id, execute_count, batch, host_id)
);
CREATE INDEX IF NOT EXISTS idx_gse_execute_obj_task_status ON gse_execute_obj_task (step_instance_id, execute_count, batch, status);
CREATE TABLE IF NOT EXISTS operation_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_instance_id INTEGER NOT NULL,
  step_instance_id INTEGER NOT NULL DEFAULT 0,
  op_code INTEGER NOT NULL,
  operator TEXT NOT NULL DEFAULT '',
  app_code TEXT NOT NULL DEFAULT '',
  execute_count INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_operation_log_task ON operation_log (task_instance_id, create_time);
CREATE TABLE IF NOT EXISTS task_instance_host (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_instance_id INTEGER NOT NULL REFERENCES task_instance (id),
  host_id INTEGER NOT NULL,
  cloud_id INTEGER NOT NULL DEFAULT 0,
  ip TEXT NOT NULL DEFAULT '',
  ipv6 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_task_instance_host_task ON task_instance_host (task_instance_id);
CREATE INDEX IF NOT EXISTS idx_task_instance_host_ip ON task_instance_host (ip);

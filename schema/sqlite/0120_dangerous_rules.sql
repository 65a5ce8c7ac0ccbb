-- manage: bk-job's dangerous (high-risk) rules and the record of every run
-- they matched. Rules are the platform's (no business). script_languages
-- is a comma-separated list of languages, e.g. ",1,4," (commas at both
-- ends so a LIKE '%,1,%' finds one); priority orders the rules (smaller
-- first). action 1 scan / 2 intercept; status 0 disabled / 1 enabled.
CREATE TABLE IF NOT EXISTS dangerous_rule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  expression TEXT NOT NULL,
  script_languages TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  action INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  priority INTEGER NOT NULL,
  creator TEXT NOT NULL DEFAULT '',
  last_modify_user TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_dangerous_rule_priority ON dangerous_rule (priority);
-- dangerous_record: one row per rule that matched a script about to run.
-- content is an excerpt of the script (its first 4096 characters);
-- check_result the JSON of the rule's hits (line, line_content, …).
CREATE TABLE IF NOT EXISTS dangerous_record (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id INTEGER NOT NULL,
  rule_expression TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  biz_id INTEGER NOT NULL,
  operator TEXT NOT NULL DEFAULT '',
  app_code TEXT NOT NULL DEFAULT '',
  startup_mode INTEGER NOT NULL DEFAULT 0,
  script_language INTEGER NOT NULL,
  content TEXT NOT NULL,
  action INTEGER NOT NULL,
  check_result TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_dangerous_record_created ON dangerous_record (created_at);
CREATE INDEX IF NOT EXISTS idx_dangerous_record_biz ON dangerous_record (biz_id, created_at);

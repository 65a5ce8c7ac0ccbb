-- manage: bk-job's global settings, one row per section (platform_info,
-- file_upload, account_name_rule.<type>, script_template.<language>);
-- value is the section's JSON. A missing row is the built-in default.
CREATE TABLE IF NOT EXISTS global_setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  last_modify_user TEXT NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL
);

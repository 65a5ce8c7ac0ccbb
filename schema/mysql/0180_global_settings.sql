-- manage: bk-job's global settings, one row per section (platform_info,
-- file_upload, account_name_rule.<type>, script_template.<language>);
-- value is the section's JSON. A missing row is the built-in default.
CREATE TABLE IF NOT EXISTS global_setting (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value MEDIUMTEXT NOT NULL,
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

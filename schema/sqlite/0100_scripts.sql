-- manage: the script library (bk-job's script + script_version). A script
-- belongs to a business (biz_id), or is public (biz_id 0, bk-job's
-- PUBLIC_APP_ID). language: 1 shell, 2 bat, 3 perl, 4 python,
-- 5 powershell, 6 SQL. A version's status: 0 DRAFT, 1 ONLINE, 2 OFFLINE,
-- 3 DISABLED; at most one version of a script is ONLINE (the service
-- takes the previous one offline in the publishing transaction).
CREATE TABLE IF NOT EXISTS script (
  id TEXT NOT NULL PRIMARY KEY,
  biz_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  language INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  creator TEXT NOT NULL DEFAULT '',
  last_modify_user TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uk_script_biz_name ON script (biz_id, name);

CREATE TABLE IF NOT EXISTS script_version (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  script_id TEXT NOT NULL,
  version TEXT NOT NULL,
  content TEXT NOT NULL,
  version_desc TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  creator TEXT NOT NULL DEFAULT '',
  last_modify_user TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uk_script_version ON script_version (script_id, version);

-- Tags are plain names per script (bk-job's tag + resource_tag, without
-- the tag entity until the tags page comes).
CREATE TABLE IF NOT EXISTS script_tag (
  script_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (script_id, tag)
);
CREATE INDEX IF NOT EXISTS idx_script_tag_tag ON script_tag (tag);

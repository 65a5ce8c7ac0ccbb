-- manage: the script library (bk-job's script + script_version). A script
-- belongs to a business (biz_id), or is public (biz_id 0, bk-job's
-- PUBLIC_APP_ID). language: 1 shell, 2 bat, 3 perl, 4 python,
-- 5 powershell, 6 SQL. A version's status: 0 DRAFT, 1 ONLINE, 2 OFFLINE,
-- 3 DISABLED; at most one version of a script is ONLINE (the service
-- takes the previous one offline in the publishing transaction).
-- content is MEDIUMTEXT: a version holds up to 5 MiB (bk-job's limit).
CREATE TABLE IF NOT EXISTS script (
  id VARCHAR(32) NOT NULL,
  biz_id BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  language INT NOT NULL,
  description VARCHAR(2048) NOT NULL DEFAULT '',
  creator VARCHAR(128) NOT NULL DEFAULT '',
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_script_biz_name (biz_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS script_version (
  id BIGINT NOT NULL AUTO_INCREMENT,
  script_id VARCHAR(32) NOT NULL,
  version VARCHAR(255) NOT NULL,
  content MEDIUMTEXT NOT NULL,
  version_desc VARCHAR(2048) NOT NULL DEFAULT '',
  status INT NOT NULL DEFAULT 0,
  creator VARCHAR(128) NOT NULL DEFAULT '',
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_script_version (script_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Tags are plain names per script (bk-job's tag + resource_tag, without
-- the tag entity until the tags page comes).
CREATE TABLE IF NOT EXISTS script_tag (
  script_id VARCHAR(32) NOT NULL,
  tag VARCHAR(255) NOT NULL,
  PRIMARY KEY (script_id, tag),
  KEY idx_script_tag_tag (tag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

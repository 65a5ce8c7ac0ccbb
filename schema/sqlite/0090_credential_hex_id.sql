-- manage: credential ids become bk-job's 32 lowercase hex digits (a UUID
-- without dashes) instead of integers, and a business's credential names
-- are unique.
--
-- Existing rows keep their data: credential n gets the id printf('%032x', n)
-- (5 → 00000000000000000000000000000005), the same on MySQL, and every
-- reference (host.credential_id) is rewritten the same way; agent hosts
-- (credential_id 0) get ''. Where one business had several credentials of
-- one name, the oldest (smallest id) keeps it and each other one is renamed
-- "<name>-<its new id>" (the name cut to 222 characters first, so the
-- result fits in 255).
--
-- credential: SQLite cannot change a primary key's type, so the table is
-- rebuilt (nothing references it by foreign key). host belongs to gse and
-- grows with it, so its column is swapped with ADD/DROP/RENAME COLUMN
-- rather than a hand-written copy of the table: a TEXT column, because an
-- INTEGER one would turn an all-digit id into a number.
CREATE TABLE credential_0090 (
  id TEXT NOT NULL PRIMARY KEY,
  biz_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL,
  creator TEXT NOT NULL DEFAULT '',
  last_modify_user TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
INSERT INTO credential_0090 (id, biz_id, name, type, description, value, creator, last_modify_user, created_at, updated_at)
  SELECT printf('%032x', id), biz_id, name, type, description, value, creator, last_modify_user, created_at, updated_at
  FROM credential;
DROP TABLE credential;
ALTER TABLE credential_0090 RENAME TO credential;
UPDATE credential SET name = substr(name, 1, 222) || '-' || id
  WHERE id NOT IN (SELECT MIN(id) FROM credential GROUP BY biz_id, name);
CREATE INDEX idx_credential_biz ON credential (biz_id);
CREATE UNIQUE INDEX uk_credential_biz_name ON credential (biz_id, name);
ALTER TABLE host ADD COLUMN credential_id_0090 TEXT NOT NULL DEFAULT '';
UPDATE host SET credential_id_0090 = printf('%032x', credential_id) WHERE credential_id > 0;
ALTER TABLE host DROP COLUMN credential_id;
ALTER TABLE host RENAME COLUMN credential_id_0090 TO credential_id;

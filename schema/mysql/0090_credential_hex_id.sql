-- manage: credential ids become bk-job's 32 lowercase hex digits (a UUID
-- without dashes) instead of integers, and a business's credential names
-- are unique.
--
-- Existing rows keep their data: credential n gets the id of n in hex padded
-- to 32 digits (5 → 00000000000000000000000000000005), the same on SQLite,
-- and every reference (host.credential_id) is rewritten the same way; agent
-- hosts (credential_id 0) get ''. Where one business had several
-- credentials of one name, the oldest (smallest id) keeps it and each other
-- one is renamed "<name>-<its new id>" (the name cut to 222 characters
-- first, so the result fits in 255). Names compare exactly (utf8mb4_bin),
-- as on SQLite: "Key" and "key" are two names.
--
-- MySQL commits each DDL statement, so every statement but the last can run
-- again after a failure part-way: the conversions only touch values not yet
-- 32 characters long, the renaming finds no duplicate the second time.
ALTER TABLE host MODIFY credential_id VARCHAR(32) NOT NULL DEFAULT '';
UPDATE host SET credential_id = '' WHERE credential_id = '0';
UPDATE host SET credential_id = LPAD(LOWER(CONV(credential_id, 10, 16)), 32, '0')
  WHERE credential_id <> '' AND CHAR_LENGTH(credential_id) < 32;
ALTER TABLE credential
  MODIFY id VARCHAR(32) NOT NULL,
  MODIFY name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
UPDATE credential SET id = LPAD(LOWER(CONV(id, 10, 16)), 32, '0') WHERE CHAR_LENGTH(id) < 32;
UPDATE credential c
  JOIN (SELECT biz_id, name, MIN(id) AS keep_id FROM credential GROUP BY biz_id, name HAVING COUNT(*) > 1) d
    ON c.biz_id = d.biz_id AND c.name = d.name
  SET c.name = CONCAT(LEFT(c.name, 222), '-', c.id)
  WHERE c.id <> d.keep_id;
ALTER TABLE credential ADD UNIQUE KEY uk_credential_biz_name (biz_id, name);

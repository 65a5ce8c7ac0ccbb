-- manage: execution accounts become editable (create/update/delete_account).
--
-- builtin marks the accounts bkjob creates itself (the Linux `root` of
-- every business): they cannot be deleted or renamed. last_modify_user is
-- bk-job's field of the same name. Every business that has no `root` alias
-- yet gets one now; businesses added later get theirs when their accounts
-- are first listed, created or resolved (manageimpl ensureBuiltins).
-- Aliases compare exactly, as on MySQL (utf8mb4_bin there): SQLite's TEXT
-- equality already does.
ALTER TABLE account ADD COLUMN builtin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN last_modify_user TEXT NOT NULL DEFAULT '';
UPDATE account SET builtin = 1 WHERE alias = 'root' AND account = 'root' AND category = 1 AND type = 1;
INSERT INTO account (biz_id, account, alias, category, type, os, password, db_password, db_port,
  db_system_account_id, remark, creator, created_at, updated_at, builtin, last_modify_user)
SELECT a.id, 'root', 'root', 1, 1, 'Linux', '', '', 0, 0, 'built-in', 'system', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 'system'
FROM application a WHERE NOT EXISTS (SELECT 1 FROM account c WHERE c.biz_id = a.id AND c.alias = 'root');
CREATE INDEX idx_account_db_system ON account (db_system_account_id);

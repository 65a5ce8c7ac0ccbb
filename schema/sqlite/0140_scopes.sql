-- manage: businesses and business sets are created and edited by platform
-- administrators (issue 10). A scope's application.id is its numeric
-- bk_scope_id, for businesses and business sets alike (one id space), so
-- the deprecated bk_biz_id and the resolved business id agree.
--
-- maintainers: the user names, comma-separated, as bk-job keeps them.
-- is_deleted keeps its bk-job meaning (archived): bkjob calls it disabled;
-- nothing is ever deleted, tasks and hosts keep their business.
-- biz_set_member: a business set's member businesses; a set's hosts are
-- the union of its members' hosts.
ALTER TABLE application ADD COLUMN maintainers TEXT NOT NULL DEFAULT '';
ALTER TABLE application ADD COLUMN creator TEXT NOT NULL DEFAULT '';
ALTER TABLE application ADD COLUMN last_modify_user TEXT NOT NULL DEFAULT '';
CREATE TABLE biz_set_member (
  set_id INTEGER NOT NULL,
  biz_id INTEGER NOT NULL,
  PRIMARY KEY (set_id, biz_id)
);
CREATE INDEX idx_biz_set_member_biz ON biz_set_member (biz_id);

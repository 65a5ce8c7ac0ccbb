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
ALTER TABLE application ADD COLUMN maintainers VARCHAR(4096) NOT NULL DEFAULT '';
ALTER TABLE application ADD COLUMN creator VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE application ADD COLUMN last_modify_user VARCHAR(128) NOT NULL DEFAULT '';
CREATE TABLE biz_set_member (
  set_id BIGINT NOT NULL,
  biz_id BIGINT NOT NULL,
  PRIMARY KEY (set_id, biz_id),
  KEY idx_biz_set_member_biz (biz_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

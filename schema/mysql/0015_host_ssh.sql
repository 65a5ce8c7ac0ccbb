-- gse: agentless hosts. A host with ssh_addr ("host:port") is reached over
-- SSH as ssh_user with the credential credential_id (manage's credential
-- table) instead of by an agent. Empty ssh_addr: an agent host.
-- One DDL statement, so a failure leaves nothing half-applied.
ALTER TABLE host
  ADD COLUMN ssh_addr VARCHAR(300) NOT NULL DEFAULT '',
  ADD COLUMN ssh_user VARCHAR(128) NOT NULL DEFAULT '',
  ADD COLUMN credential_id BIGINT NOT NULL DEFAULT 0;

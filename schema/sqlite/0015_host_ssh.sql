-- gse: agentless hosts. A host with ssh_addr ("host:port") is reached over
-- SSH as ssh_user with the credential credential_id (manage's credential
-- table) instead of by an agent. Empty ssh_addr: an agent host.
ALTER TABLE host ADD COLUMN ssh_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE host ADD COLUMN ssh_user TEXT NOT NULL DEFAULT '';
ALTER TABLE host ADD COLUMN credential_id INTEGER NOT NULL DEFAULT 0;

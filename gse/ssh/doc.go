// Package ssh is the agentless gse.Transport: hosts that carry a
// gse.SSHEndpoint are driven over SSH with the same semantics as the built-in
// agent. A script is uploaded over SFTP to a private temp file (0700, owned
// by the run-as account), run under setsid so its process group can be
// killed on timeout or stop, and its combined stdout/stderr is streamed back
// in ordered chunks with a per-host cap. Files go over SFTP from the blob
// store or from another SSH host (streamed through this process), land under
// a temp name, are sha256-verified and renamed into place.
//
// Connections are pooled per (address, user, credential) and each carries a
// bounded number of concurrent sessions; host keys are checked against a
// KnownHosts store, trusting a new key on first use only when configured.
// Credentials come from a CredentialSource; the caller decrypts them.
package ssh

// Package wire is the protocol between the built-in agent (gse/agent) and
// the hub (gse/hub) it dials.
//
// The agent opens one WebSocket to <server>/gse/v1/agent with
// "Authorization: Bearer <secret>": its own credential with HeaderAgentID
// naming it, or, for its first connection only, a business token. Every WebSocket message is binary and
// carries one Message: a 4-byte big-endian header length, the header as
// JSON, then the raw payload (output bytes or file data), so bulk data is
// never base64-encoded.
//
// The conversation:
//
//	agent → hub  hello       identity, addresses, ids of the tasks it still holds
//	hub → agent  welcome     bkjob host id, heartbeat interval, and after a
//	                         token the agent's new credential
//	agent → hub  enrolled    the credential is stored (after a token only)
//	agent → hub  heartbeat   every interval
//	hub → agent  run_script / run_file / stop
//	agent → hub  accepted    the task is persisted and queued
//	agent → hub  output      a chunk of combined stdout/stderr at an offset
//	agent → hub  progress    one file's transfer progress (Seq increases per task)
//	agent → hub  result      the final HostResult, after all output
//	hub → agent  ack         output up to Offset, progress up to Seq and (Done)
//	                         the result reached the engine; the agent forgets
//	                         acknowledged data and, once Done, the task
//	either way   read        a file-pull request (list or read a chunk); the
//	                         target agent asks the hub, which answers from the
//	                         blob store or relays to the source host's agent
//	either way   read_reply  the answer, with the chunk as payload
//
// Delivery is at-least-once: after a reconnect the agent resends everything
// not acknowledged, and the hub drops what it already passed on.
package wire

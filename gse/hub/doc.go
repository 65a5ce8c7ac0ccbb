// Package hub is the server side of bkjob's built-in transport: agents
// (gse/agent) dial it over WebSocket at /gse/v1/agent, and it implements
// gse.Transport for their hosts.
//
// A business token from gse.agent_tokens (plus gse.bootstrap_token) only
// admits an agent's first connection (enrol.go). A token is "TOKEN"
// (business 1) or "BIZ:TOKEN" with a numeric business id; it binds the agent
// to a new host row of that business, or to a free agent host row of that
// business, never to another business's row nor to an agentless (SSH) host.
// The hub then issues the agent its own credential, kept as a SHA-256 in
// agent_credential and bound to the agent id, business and host row; from
// then on only that credential reclaims the agent id or its host, and a live
// connection is never replaced by one without it. Revoked agents are cut off
// and refused. A refused token or credential gets 401 and a warning.
//
// Each agent's host is recorded in the host table (schema 0010_hosts); the
// host id is bkjob's numeric host id. Events from an agent are passed to
// the Sink by one goroutine per host, so they arrive in order per (task,
// host); the agent is acknowledged only after the Sink took them, so
// nothing is lost when either side restarts. A host whose agent stays away
// longer than offline_after_missed heartbeats is marked offline and its
// running tasks end as agent errors; a result the agent brings later for
// such a task is ignored.
//
// File tasks: each target agent pulls every source through the hub, which
// answers from the blob store or relays the request to the source host's
// agent. The hub only relays reads of files that belong to the task.
//
// One hub serves the agents connected to it; run one gse role, or route
// each task to the hub its hosts are connected to.
package hub

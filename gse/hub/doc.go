// Package hub is the server side of bkjob's built-in transport: agents
// (gse/agent) dial it over WebSocket at /gse/v1/agent, and it implements
// gse.Transport for their hosts.
//
// Agents authenticate with a bearer token from gse.agent_tokens (plus
// gse.bootstrap_token). A token is "TOKEN" (hosts land in business 1) or
// "BIZ:TOKEN" with a numeric business id (hosts it registers land in BIZ).
// A refused token gets 401 and a warning in the log.
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

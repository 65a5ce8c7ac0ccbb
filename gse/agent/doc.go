// Package agent is the daemon side of bkjob's built-in transport
// (`bkjob agent`): it dials the hub (gse/hub) over one WebSocket, runs
// scripts as the requested OS account, and pulls files from the hub's blob
// store or from other agents through the hub.
//
// Everything a task produces (output, final result) is spooled under
// <data-dir>/tasks until the hub acknowledges it, so a dropped connection
// loses nothing: the agent reconnects with backoff and resends what was not
// acknowledged. When the agent process itself dies mid-script, the next
// start kills what is left of the script's process group and reports the
// host as an agent error.
//
// Run is usable in-process (serve --roles=all runs one for the local host):
// no globals, no os.Exit; it returns when its context is cancelled.
package agent

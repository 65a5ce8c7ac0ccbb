// Package router is the gse.Transport the engine holds when hosts are
// reached in more than one way: it splits each task's hosts by how they are
// reached (an SSH endpoint goes to the SSH transport, every other host to
// the agent transport — the built-in hub or BlueKing GSE 2.0), starts the
// parts under the same task id, and fans Stop and AgentStatus out.
package router

// Package gse2 adapts BlueKing GSE 2.0's HTTP API (through the BK API
// gateway) to gse.Transport: scripts go out with async_execute_script and
// are polled with get_execute_script_result (offset-based log increments
// become OutputChunks), files with async_transfer_file and
// get_transfer_file_result, stop uses the two terminate calls and agent
// status list_agent_state. GSE error codes are mapped to bkjob host status
// codes as bk-job maps them, and results are polled at bk-job's cadence.
//
// GSE cannot run here: the adapter is tested against fakegse, a fake server
// written from the documented protocol. docs/gse2.md says which parts were
// verified only that way.
package gse2

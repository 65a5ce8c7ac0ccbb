// Package executeimpl is the execute role's engine: it validates and persists
// task instances, drives them through bk-job's state machine with events on
// the platform bus, dispatches host work to a gse.Transport, takes results
// back through a gse.Sink, and answers the status, result-group and log
// queries of the execute.Service contract.
//
// Every state change is written to the database before it is acted on, and
// every claim is a conditional UPDATE (… WHERE status = expected), so several
// execute processes share one database without double work, and a restarted
// process resumes every unfinished task from the database (reconcile.go).
package executeimpl

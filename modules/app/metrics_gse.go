package app

import "github.com/bkjob/bkjob/platform/httpx"

// registerGSEMetrics exposes what the gse role refuses from agents and
// transports, and how many task entries its hub holds. Read at scrape time.
func registerGSEMetrics(srv *httpx.Server, p *gseParts) {
	if srv == nil {
		return
	}
	srv.CounterFunc("bkjob_gse_misrouted_events_total",
		"Host events dropped because they came from a transport other than the one the task was dispatched on.",
		func() float64 { return float64(p.guard.Dropped()) })
	if p.hub == nil {
		return // gse2: no hub
	}
	srv.CounterFunc("bkjob_gse_rejected_agent_messages_total",
		"Agent messages dropped because they name a task not dispatched to that agent and host, or a file the task does not move.",
		func() float64 { return float64(p.hub.Stats().Rejected) })
	srv.GaugeFunc("bkjob_gse_hub_task_entries", "Task entries (task × host) the agent hub holds in memory.",
		func() float64 { return float64(p.hub.Stats().Tasks) })
}

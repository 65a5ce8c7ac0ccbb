package app

import "github.com/bkjob/bkjob/platform/httpx"

// registerGSEMetrics exposes what the gse role refuses from agents and
// transports, what its sink set aside, and how many task entries its hub
// holds. Read at scrape time.
func registerGSEMetrics(srv *httpx.Server, g *gseRole) {
	if srv == nil {
		return
	}
	srv.CounterFunc("bkjob_gse_events_set_aside_total", "Events the store refused gse.sink_max_attempts times: set aside, their hosts failed.",
		func() float64 { return float64(g.sinkGuard.SetAside()) })
	srv.CounterFunc("bkjob_gse_misrouted_events_total",
		"Host events dropped because they came from a transport other than the one the task was dispatched on.",
		func() float64 { return float64(g.guard.Dropped()) })
	if g.hub == nil {
		return // gse2: no hub
	}
	srv.CounterFunc("bkjob_gse_rejected_agent_messages_total",
		"Agent messages dropped because they name a task not dispatched to that agent and host, or a file the task does not move.",
		func() float64 { return float64(g.hub.Stats().Rejected) })
	srv.GaugeFunc("bkjob_gse_hub_task_entries", "Task entries (task × host) the agent hub holds in memory.",
		func() float64 { return float64(g.hub.Stats().Tasks) })
}

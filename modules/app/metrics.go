package app

import (
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/httpx"
)

// registerBackendMetrics exposes the figures of the backends this process
// opened (nil when it did not): database pool use and bus traffic.
// Counters are read at scrape time.
func registerBackendMetrics(srv *httpx.Server, gdb *gorm.DB, bb bus.Bus) {
	if gdb != nil {
		stat := func(pick func(open, inUse, idle, waits int64) int64) func() float64 {
			return func() float64 {
				s, err := db.Stats(gdb)
				if err != nil {
					return 0
				}
				return float64(pick(int64(s.OpenConnections), int64(s.InUse), int64(s.Idle), s.WaitCount))
			}
		}
		srv.GaugeFunc("bkjob_db_open_connections", "Open database connections.", stat(func(o, _, _, _ int64) int64 { return o }))
		srv.GaugeFunc("bkjob_db_in_use_connections", "Database connections in use.", stat(func(_, u, _, _ int64) int64 { return u }))
		srv.GaugeFunc("bkjob_db_idle_connections", "Idle database connections.", stat(func(_, _, i, _ int64) int64 { return i }))
		srv.CounterFunc("bkjob_db_wait_count_total", "Waits for a database connection since start.", stat(func(_, _, _, w int64) int64 { return w }))
	}
	if r, ok := bb.(bus.StatsReporter); ok {
		stat := func(pick func(bus.Stats) uint64) func() float64 {
			return func() float64 { return float64(pick(r.Stats())) }
		}
		srv.CounterFunc("bkjob_bus_published_total", "Events and broadcasts confirmed sent.", stat(func(s bus.Stats) uint64 { return s.Published }))
		srv.CounterFunc("bkjob_bus_consumed_total", "Events acknowledged by a handler.", stat(func(s bus.Stats) uint64 { return s.Consumed }))
		srv.CounterFunc("bkjob_bus_failed_total", "Event handler errors (each one redelivers).", stat(func(s bus.Stats) uint64 { return s.Failed }))
		srv.CounterFunc("bkjob_bus_calls_total", "Calls sent.", stat(func(s bus.Stats) uint64 { return s.Calls }))
		srv.CounterFunc("bkjob_bus_handled_total", "Calls answered by this process.", stat(func(s bus.Stats) uint64 { return s.Handled }))
	}
}

package hub

import (
	"context"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// tombstoneTTL is how long a finished task is remembered on a host, so a
// late or repeated report for it is recognised and ignored. Tombstones are
// small: the task's spec is dropped once its result is delivered.
const tombstoneTTL = 24 * time.Hour

// touchInterval is how often the registry's last_seen of connected hosts
// is refreshed.
func touchInterval(c Config) time.Duration {
	return max(c.HeartbeatInterval, 10*time.Second)
}

// monitor marks silent hosts offline, fails their tasks, refreshes
// last_seen and forgets old tombstones.
func (h *Hub) monitor() {
	tick := max(h.cfg.HeartbeatInterval/2, 10*time.Millisecond)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	lastTouch, lastPurge := time.Now(), time.Now()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-ticker.C:
		}
		now := time.Now()
		offline, online := h.sweep(now)
		h.sweepRelays(now)
		ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
		// The registry learns a host is offline before its tasks are failed,
		// so whoever reads a task's "offline" result also reads the host as
		// offline.
		if err := h.registry.SetAlive(ctx, offline, false); err != nil {
			h.log.Warn("mark hosts offline", "err", err)
		}
		h.failOfflineTasks(now)
		h.flushEnded(ctx, now)
		if now.Sub(lastPurge) >= purgeEvery {
			lastPurge = now
			if err := h.store.purge(ctx, now.UTC()); err != nil {
				h.log.Warn("purge dispatch records", "err", err)
			}
		}
		if now.Sub(lastTouch) >= touchInterval(h.cfg) {
			lastTouch = now
			if err := h.registry.SetAlive(ctx, online, true); err != nil {
				h.log.Warn("refresh hosts last seen", "err", err)
			}
		}
		cancel()
	}
}

// sweep walks every host once. It returns the hosts that just went offline
// and those connected.
func (h *Hub) sweep(now time.Time) (offline, online []int64) {
	for _, l := range h.allLinks() {
		l.mu.Lock()
		if l.conn != nil {
			online = append(online, l.hostID)
		} else if l.silentLocked(now) && l.alive {
			l.alive = false
			offline = append(offline, l.hostID)
			h.log.Warn("agent offline", "host_id", l.hostID, "agent_id", l.agentID, "last_seen", l.lastSeen)
		}
		for id, ht := range l.tasks {
			if ht.delivered && now.Sub(ht.doneAt) > tombstoneTTL {
				delete(l.tasks, id)
				h.unindexTask(id, l.hostID)
			}
		}
		l.mu.Unlock()
	}
	return offline, online
}

// failOfflineTasks ends, as an agent error, every unfinished task of a host
// whose agent has been silent past the offline window.
func (h *Hub) failOfflineTasks(now time.Time) {
	for _, l := range h.allLinks() {
		l.mu.Lock()
		if l.silentLocked(now) {
			for id, ht := range l.tasks {
				if !ht.final {
					l.finalizeLocked(id, ht, gse.HostStatusAgentError, offlineMsg(l.lastSeen))
				}
			}
		}
		l.mu.Unlock()
	}
}

// silentLocked: the host's agent is disconnected and has not been heard from
// within the offline window.
func (l *link) silentLocked(now time.Time) bool {
	return l.conn == nil && l.known && now.Sub(l.lastSeen) > l.h.cfg.offlineAfter()
}

package executeimpl

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
)

// lostMsg is the result of an agentless host whose run the transport lost.
const lostMsg = "the gse role restarted while this host ran and its SSH session was lost; " +
	"what the run left on the host was stopped"

// lostChecks remembers when each running gse task was last checked with
// the transport, so a task costs one Lost call per LostCheckInterval.
type lostChecks struct {
	mu   sync.Mutex
	last map[string]int64 // gse task id → unix ms
}

func newLostChecks() *lostChecks { return &lostChecks{last: map[string]int64{}} }

// due says whether taskID is to be checked now, and records the check.
func (l *lostChecks) due(taskID string, now, interval int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	last, seen := l.last[taskID]
	if !seen {
		// First sight (a new task, or a restarted engine): wait one interval
		// so a restarted gse role has its agents back before it is asked.
		l.last[taskID] = now
		return false
	}
	if now-last < interval {
		return false
	}
	l.last[taskID] = now
	return true
}

// keepOnly forgets the tasks that are no longer live.
func (l *lostChecks) keepOnly(live map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range l.last {
		if !live[id] {
			delete(l.last, id)
		}
	}
}

func (l *lostChecks) forget(taskID string) {
	l.mu.Lock()
	delete(l.last, taskID)
	l.mu.Unlock()
}

// checkLost asks the transport which unfinished hosts of a running,
// dispatched task it no longer holds — a gse role that restarted since the
// dispatch holds nothing — and acts on them at once instead of waiting for
// the step timeout: hosts reached by an agent are dispatched again (an
// agent that still holds the task carries on where it was; agents take a
// task they hold as a no-op), agentless hosts are failed (their SSH
// session died with the gse role; the transport stopped what it left).
//
// The database is read again after the transport answered, and only
// hosts still unfinished then are acted on: a transport releases a host
// only after its final result was stored, so a host it no longer holds and
// the database still shows unfinished will never report (failHosts also
// touches unfinished hosts only).
func (e *Engine) checkLost(ctx context.Context, k taskKey, g *gseTask, now int64) error {
	if g.Dispatched != 1 || !e.lost.due(g.GseTaskID, now, e.opts.LostCheckInterval.Milliseconds()) {
		return nil
	}
	rows, err := e.st.hostTasks(ctx, k, nil)
	if err != nil {
		return err
	}
	var hosts []gse.Host
	for _, r := range rows {
		if r.Status == gse.HostStatusWaiting || r.Status == gse.HostStatusRunning {
			hosts = append(hosts, gse.Host{ID: r.HostID, CloudID: r.CloudID, IP: r.IP, AgentID: r.AgentID})
		}
	}
	if len(hosts) == 0 {
		e.lost.forget(g.GseTaskID)
		return nil
	}
	if hosts, err = e.currentHosts(ctx, k.StepInstanceID, hosts); err != nil {
		return err
	}
	lostIDs, err := e.tr.Lost(ctx, g.GseTaskID, hosts)
	if err != nil {
		return fmt.Errorf("ask transport about task %s: %w", g.GseTaskID, err)
	}
	if len(lostIDs) == 0 {
		return nil
	}
	// Read again now that the transport has answered: a host whose final
	// result was stored (and released by the transport) between the first
	// read and the answer is final here, and must not be sent again — its
	// script would run twice.
	still, err := e.st.hostTasks(ctx, k, lostIDs)
	if err != nil {
		return err
	}
	lost := make(map[int64]bool, len(still))
	for _, r := range still {
		if r.Status == gse.HostStatusWaiting || r.Status == gse.HostStatusRunning {
			lost[r.HostID] = true
		}
	}
	var again []gse.Host
	var failed []int64
	for _, h := range hosts {
		switch {
		case !lost[h.ID]:
		case h.SSH != nil:
			failed = append(failed, h.ID)
		default:
			again = append(again, h)
		}
	}
	if len(failed) > 0 {
		n, err := e.st.failHosts(ctx, k, failed, gse.HostStatusAgentError, gse.ErrorCodeOther, lostMsg, e.nowMS())
		if err != nil {
			return err
		}
		e.log.Warn("transport lost agentless hosts", "task_id", g.GseTaskID, "hosts", n)
	}
	if len(again) > 0 {
		e.log.Warn("transport lost hosts, dispatching again", "task_id", g.GseTaskID, "hosts", len(again))
		if err := e.startOnTransport(ctx, k, g, again); err != nil {
			// Left as they are: the next check tries again, the step
			// timeout bounds it.
			e.log.Warn("dispatch lost hosts again", "task_id", g.GseTaskID, "err", err)
		}
	}
	return e.finishIfDone(ctx, k)
}

// failHosts gives the hosts hostIDs of k that are still waiting or running
// a final status.
func (s *gormStore) failHosts(ctx context.Context, k taskKey, hostIDs []int64, status, errorCode int, msg string, now int64) (int64, error) {
	var total int64
	for start := 0; start < len(hostIDs); start += insertChunk {
		ids := hostIDs[start:min(start+insertChunk, len(hostIDs))]
		res := s.db.WithContext(ctx).Model(&hostTask{}).
			Where("step_instance_id = ? AND execute_count = ? AND batch = ? AND host_id IN ? AND status IN ?",
				k.StepInstanceID, k.ExecuteCount, k.Batch, ids, unfinishedHost).
			Updates(map[string]any{"status": status, "error_code": errorCode, "error_msg": msg, "end_time": now,
				"total_time": gorm.Expr("CASE WHEN start_time > 0 THEN ? - start_time ELSE 0 END", now)})
		if res.Error != nil {
			return total, fmt.Errorf("fail hosts of %s: %w", k.transportID(), res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}

package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/errs"
)

// StartScript hands a script task to the hosts' agents.
func (h *Hub) StartScript(ctx context.Context, task gse.ScriptTask) error {
	if task.TaskID == "" {
		return errors.New("start script: no task id")
	}
	msg := &wire.Message{Type: wire.TypeRunScript, TaskID: task.TaskID, Script: &wire.Script{
		Language: task.Language, Content: task.Content, Params: task.Params, Account: task.Account,
		Timeout: task.Timeout, Env: task.Env, WorkDir: task.WorkDir, MaxOutputBytes: h.cfg.MaxOutputBytes,
	}}
	if err := h.dispatch(ctx, task.TaskID, task.Hosts, msg, nil); err != nil {
		return fmt.Errorf("start script %s: %w", task.TaskID, err)
	}
	return nil
}

// StartFile hands a file task to the target hosts' agents; each pulls the
// sources through the hub. Invalid paths are refused with an error wrapping
// wire.ErrBadPath before anything is dispatched.
func (h *Hub) StartFile(ctx context.Context, task gse.FileTask) error {
	if task.TaskID == "" {
		return errors.New("start file: no task id")
	}
	job := &wire.FileJob{
		TargetDir: task.TargetDir, Account: task.Account, Mode: task.Mode,
		UploadLimit: task.UploadLimit, DownloadLimit: task.DownloadLimit, Timeout: task.Timeout,
	}
	if job.Mode == 0 {
		job.Mode = gse.TransferForce
	}
	for i, s := range task.Sources {
		src := wire.FileSource{Path: s.Path, BlobKey: s.BlobKey, Name: s.Name, Account: s.Account}
		if s.Host != nil {
			if s.Host.ID == 0 {
				return fmt.Errorf("start file %s: source %d: host %s has no host id", task.TaskID, i, s.Host.IP)
			}
			src.HostID, src.CloudID, src.IP = s.Host.ID, s.Host.CloudID, s.Host.IP
		} else if s.BlobKey != "" && h.cfg.Blob == nil {
			return fmt.Errorf("start file %s: source %d: no blob store configured", task.TaskID, i)
		}
		job.Sources = append(job.Sources, src)
	}
	if err := wire.ValidateFileJob(job); err != nil {
		return fmt.Errorf("start file %s: %w", task.TaskID, err)
	}
	msg := &wire.Message{Type: wire.TypeRunFile, TaskID: task.TaskID, File: job}
	if err := h.dispatch(ctx, task.TaskID, task.Targets, msg, job); err != nil {
		return fmt.Errorf("start file %s: %w", task.TaskID, err)
	}
	return nil
}

// dispatch records the task on every host and sends it to the connected
// agents. Hosts without an agent, or whose agent is offline, get their
// final result through the sink. The record is written first, and a
// dispatch that cannot write it fails: a hub that restarts tells an agent
// to drop a task it holds with no record, so a task sent unrecorded would
// be cut off (and run again by the engine) after a restart.
func (h *Hub) dispatch(ctx context.Context, taskID string, hosts []gse.Host, msg *wire.Message, file *wire.FileJob) error {
	if !h.started.Load() {
		return ErrNotStarted
	}
	if len(hosts) == 0 {
		return errors.New("no hosts")
	}
	if len(taskID) > maxStoredTaskID {
		return fmt.Errorf("task id longer than %d bytes", maxStoredTaskID)
	}
	links := make([]*link, 0, len(hosts))
	for _, host := range hosts {
		if host.ID == 0 {
			return fmt.Errorf("host %d:%s has no host id", host.CloudID, host.IP)
		}
		l, err := h.resolve(ctx, host.ID)
		if err != nil {
			return err
		}
		links = append(links, l)
	}
	now := time.Now().UTC()
	rows := make([]taskRow, 0, len(links))
	planned := make(map[int64]string, len(links))
	for _, l := range links {
		agentID, ok := l.agentFor(taskID)
		if !ok {
			continue
		}
		r, err := newRow(l.hostID, taskID, agentID, msg, now)
		if err != nil {
			return err
		}
		rows = append(rows, r)
		planned[l.hostID] = agentID
	}
	if err := h.store.record(ctx, rows); err != nil {
		// The engine tries again later (the database may be back); the
		// detail stays in this log, not in a host's result.
		h.log.Warn("record dispatched task", "task", taskID, "hosts", len(rows), "err", err)
		return errs.ErrUnavailable.Withf("the gse hub cannot record the task now")
	}
	if h.dispatchGap != nil {
		h.dispatchGap()
	}
	var sends []*agentConn
	for _, l := range links {
		want, planned := planned[l.hostID]
		c, live := h.addRecorded(ctx, l, taskID, msg, file, want, planned)
		if c != nil && live {
			sends = append(sends, c)
		}
	}
	for _, c := range sends {
		// A failed send drops that connection; the task is resent when the
		// agent comes back, or fails when it stays away.
		_ = c.send(msg)
	}
	return nil
}

// addRecorded adds the task to the host only once its record names the
// agent it goes to: when another agent of the host connected since the
// record was written (or the host got its first agent), the record is
// written or moved to that agent first. A host whose record cannot be
// made is failed, never sent an unrecorded task (after a hub restart the
// agent would be told to drop it, and the engine would run it again).
func (h *Hub) addRecorded(ctx context.Context, l *link, taskID string, msg *wire.Message, file *wire.FileJob, want string, planned bool) (*agentConn, bool) {
	for range 3 {
		c, agentID, live, moved := l.addTask(taskID, msg, file, want)
		if !moved {
			return c, live
		}
		var err error
		if planned {
			err = h.store.setAgent(ctx, l.hostID, agentID, []string{taskID})
		} else {
			var r taskRow
			if r, err = newRow(l.hostID, taskID, agentID, msg, time.Now().UTC()); err == nil {
				err = h.store.record(ctx, []taskRow{r})
			}
		}
		if err != nil {
			h.log.Warn("record the agent of a dispatched task", "task", taskID, "host_id", l.hostID, "err", err)
			l.failTask(taskID, msg, file, "the hub could not record the task for the host's new agent")
			return nil, false
		}
		want, planned = agentID, true
	}
	l.failTask(taskID, msg, file, "the host's agent kept changing while the task was dispatched")
	return nil, false
}

// failTask adds the task to the host already failed (unless it is known).
func (l *link) failTask(taskID string, msg *wire.Message, file *wire.FileJob, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tasks[taskID] != nil {
		return
	}
	ht := &hostTask{start: msg, file: file, created: time.Now(), agentID: l.agentID}
	l.tasks[taskID] = ht
	l.h.indexTask(taskID, l.hostID)
	l.finalizeLocked(taskID, ht, gse.HostStatusAgentError, why)
}

// resolve returns the link of a host, reading the registry the first time.
func (h *Hub) resolve(ctx context.Context, hostID int64) (*link, error) {
	if l := h.existingLink(hostID); l != nil {
		l.mu.Lock()
		loaded := l.loaded
		l.mu.Unlock()
		if loaded {
			return l, nil
		}
	}
	rec, found, err := h.registry.Get(ctx, hostID)
	if err != nil {
		return nil, err
	}
	l := h.link(hostID)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		l.loaded = true
		if found && rec.Agent() != "" {
			l.known, l.agentID, l.version, l.alive = true, rec.Agent(), rec.AgentVersion, rec.Alive
			if rec.LastSeen != nil && l.lastSeen.IsZero() {
				l.lastSeen = *rec.LastSeen
			}
			// A hub that has just started has not given its agents the time
			// to come back: they count as seen at its start, so a task sent
			// to one now waits for it (up to the offline window) instead of
			// failing on a last_seen from before the restart.
			if l.lastSeen.Before(h.startedAt) {
				l.lastSeen = h.startedAt
			}
		}
	}
	return l, nil
}

// agentFor is the agent a new task of the host goes to; false when the
// host has no agent or already has the task (nothing to record).
func (l *link) agentFor(taskID string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known || l.tasks[taskID] != nil {
		return "", false
	}
	if l.conn != nil {
		return l.conn.agentID, true
	}
	return l.agentID, true
}

// addTask records a task on the host and returns the connection to send it
// on, if any, the agent it is for, and whether it awaits that agent (it
// was not failed at once). A task already known is left alone.
//
// want is the agent the task's record names ("" for none): when the host's
// agent is another one now, nothing is added and moved is true with that
// agent, to be recorded first.
func (l *link) addTask(taskID string, msg *wire.Message, file *wire.FileJob, want string) (c *agentConn, agentID string, live, moved bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tasks[taskID] != nil {
		return nil, "", false, false
	}
	now := time.Now()
	ht := &hostTask{start: msg, file: file, created: now, agentID: l.agentID}
	if l.conn != nil {
		ht.agentID = l.conn.agentID
	}
	if l.known && ht.agentID != want {
		return nil, ht.agentID, false, true
	}
	l.tasks[taskID] = ht
	l.h.indexTask(taskID, l.hostID)
	switch {
	case !l.known:
		l.finalizeLocked(taskID, ht, gse.HostStatusAgentNotInstalled, "no bkjob agent is registered for this host")
		return nil, "", false, false
	case l.conn != nil:
		ht.sent = true
		return l.conn, ht.agentID, true, false
	case l.silentLocked(now):
		l.finalizeLocked(taskID, ht, gse.HostStatusAgentError, offlineMsg(l.lastSeen))
		return nil, "", false, false
	}
	// Otherwise the agent is between connections: the task goes out when it
	// is back, or fails when it stays away.
	return nil, ht.agentID, true, false
}

// Stop terminates a task on the given hosts (all its hosts when empty).
func (h *Hub) Stop(ctx context.Context, taskID string, hostIDs []int64) error {
	if !h.started.Load() {
		return ErrNotStarted
	}
	if len(hostIDs) == 0 {
		hostIDs = h.hostsOf(taskID)
	}
	stop := &wire.Message{Type: wire.TypeStop, TaskID: taskID}
	for _, id := range hostIDs {
		l := h.existingLink(id)
		if l == nil {
			continue
		}
		if c := l.stop(taskID); c != nil {
			if err := c.send(stop); err != nil {
				h.log.Warn("send stop", "task", taskID, "host_id", id, "err", err)
			}
		}
	}
	return nil
}

// stop marks the task stopped; it returns the connection to send the stop
// on, or ends the task at once when the agent never took it.
func (l *link) stop(taskID string) *agentConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	ht := l.tasks[taskID]
	if ht == nil {
		// Unknown here (say, dispatched before a hub restart): the agent
		// may still hold it, and ignores a stop for a task it does not.
		return l.conn
	}
	if ht.final {
		return nil
	}
	ht.stopRequested = true
	if !ht.accepted && (l.conn == nil || !ht.sent) {
		status := gse.HostStatusScriptTerminate
		if ht.kind() == wire.TypeRunFile {
			status = gse.HostStatusTerminateSuccess
		}
		l.finalizeLocked(taskID, ht, status, "stopped before the agent received the task")
		return nil
	}
	return l.conn
}

// AgentStatus reports each host's agent: alive when it is connected to this
// hub, or (for agents of another hub) when the registry saw it recently.
func (h *Hub) AgentStatus(ctx context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	out := make([]gse.AgentState, 0, len(hosts))
	fresh := h.cfg.offlineAfter() + touchInterval(h.cfg)
	for _, host := range hosts {
		st := gse.AgentState{HostID: host.ID, AgentID: host.AgentID}
		if l := h.existingLink(host.ID); l != nil {
			l.mu.Lock()
			if l.conn != nil {
				st.Alive, st.AgentID, st.Version, st.Seen = true, l.agentID, l.version, l.lastSeen
			}
			l.mu.Unlock()
		}
		if !st.Alive {
			rec, found, err := h.registry.Get(ctx, host.ID)
			if err != nil {
				return nil, fmt.Errorf("agent status of host %d: %w", host.ID, err)
			}
			if found {
				st.AgentID, st.Version = rec.Agent(), rec.AgentVersion
				if rec.LastSeen != nil {
					st.Seen = *rec.LastSeen
					st.Alive = rec.Alive && time.Since(st.Seen) < fresh
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

package logsvr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/text"
	"github.com/labstack/echo/v4"
)

// Stream tuning defaults.
const (
	defaultPoll      = time.Second
	defaultHeartbeat = 15 * time.Second
	streamReadLimit  = 256 << 10
)

// StepState is what the gateway knows about a step run that a log request
// names: the full reference (job instance, creation time, the host's batch)
// and whether more log can come.
type StepState struct {
	Ref StepRef
	// Status is the step status (bk-job RunStatusEnum); a stream sends an
	// event "status" whenever it changes.
	Status int
	// Finished is true once the host (hostID 0: the step) writes no more log.
	Finished bool
	// ScopeType and ScopeID are the scope of the step's job ("biz" or
	// "biz_set" and its id): the caller must be granted view_history on it.
	ScopeType string
	ScopeID   string
}

// StepLookup resolves a log request: batch is AnyBatch when the request did
// not give one, hostID is 0 for step-wide requests. It returns a not-found
// *errs.Error for an unknown step, and with the state the step's scope,
// which the handlers check against the caller.
type StepLookup func(ctx context.Context, stepInstanceID int64, executeCount, batch int, hostID int64) (StepState, error)

// Handlers are the web endpoints of logsvr, plain echo handlers the gateway
// mounts behind its authentication. Svc is the store itself when logsvr
// runs in the gateway's process (Watch pushes) or the bus Client (Watch
// polls); a Watch that fails with errs.ErrNotImplemented falls back to
// polling ReadScript every Poll.
type Handlers struct {
	Svc    Service
	Lookup StepLookup
	Log    *slog.Logger
	// Poll is how often a stream re-reads the log and the step state (1 s).
	Poll time.Duration
	// Heartbeat is how often an idle stream sends a comment (15 s).
	Heartbeat time.Duration
}

// Register mounts GET <group>/logs/stream and GET <group>/logs/export; the
// gateway passes its /api/web group.
func (h *Handlers) Register(g *echo.Group) {
	g.GET("/logs/stream", h.Stream)
	g.GET("/logs/export", h.Export)
}

// logEvent is the data of a "log" event: the stored bytes at offset.
type logEvent struct {
	Offset int64  `json:"offset"`
	Next   int64  `json:"next"`
	Data   string `json:"data"`
}

// Stream serves Server-Sent Events for one host:
// GET /logs/stream?step_instance_id=&execute_count=&batch=&host_id=&offset=
// It sends the stored log from offset as "log" events {offset, next, data}
// (the SSE id is next, so a reconnect with Last-Event-ID resumes), then new
// chunks as they are stored, "status" events {status} when the step status
// changes, and "end" {offset} once the host finished and its log is drained.
func (h *Handlers) Stream(c echo.Context) error {
	q, err := parseQuery(c, true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	state, err := h.lookup(ctx, q.step, q.exec, q.batch, q.host)
	if err != nil {
		return err
	}
	ref := state.Ref
	if ref.Batch == AnyBatch {
		ref.Batch = 0
	}
	key := HostKey{StepRef: ref, HostID: q.host}
	if err := key.Validate(); err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watch, err := h.Svc.Watch(wctx, ref, q.host)
	if err != nil && !errors.Is(err, errs.ErrNotImplemented) {
		return err
	}
	s := &stream{c: c, h: h, key: key, offset: q.offset, status: -1}
	s.start()
	return s.run(ctx, watch, state)
}

// lookup resolves the step and checks that the caller (the actor on ctx)
// may read its history: the one check, httpx.CheckScope, that the v3 API
// goes through too. The step itself is looked up first (every step has an
// execute count 0 and any batch), so a refused caller learns nothing about
// its hosts, batches or runs.
func (h *Handlers) lookup(ctx context.Context, step int64, exec, batch int, host int64) (StepState, error) {
	whole, err := h.Lookup(ctx, step, 0, AnyBatch, 0)
	if err != nil {
		return StepState{}, err
	}
	if err := httpx.CheckScope(ctx, httpx.ActionViewHistory, whole.ScopeType, whole.ScopeID); err != nil {
		return StepState{}, err
	}
	if exec == 0 && batch == AnyBatch && host == 0 {
		return whole, nil
	}
	return h.Lookup(ctx, step, exec, batch, host)
}

// stream is one SSE connection.
type stream struct {
	c      echo.Context
	h      *Handlers
	key    HostKey
	offset int64
	status int
}

func (s *stream) start() {
	w := s.c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
}

func (s *stream) run(ctx context.Context, watch <-chan ScriptChunk, state StepState) error {
	poll, beat := s.h.Poll, s.h.Heartbeat
	if poll <= 0 {
		poll = defaultPoll
	}
	if beat <= 0 {
		beat = defaultHeartbeat
	}
	pollT := time.NewTicker(poll)
	defer pollT.Stop()
	beatT := time.NewTicker(beat)
	defer beatT.Stop()
	needRead := true
	for {
		if needRead {
			if err := s.catchUp(ctx, false); err != nil {
				return s.fail(err)
			}
			needRead = false
		}
		if state.Status != s.status {
			s.status = state.Status
			if err := s.send("status", "", map[string]int{"status": state.Status}); err != nil {
				return nil
			}
		}
		if state.Finished {
			if err := s.catchUp(ctx, true); err != nil {
				return s.fail(err)
			}
			_ = s.send("end", "", map[string]int64{"offset": s.offset})
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case ch, ok := <-watch:
			switch {
			case !ok:
				watch = nil // the watch ended: keep polling
			case ch.Offset == s.offset:
				if err := s.sendLog(ch.Offset, ch.Data, false); err != nil {
					return nil
				}
			case ch.Offset > s.offset:
				needRead = true // missed chunks: read the gap
			}
		case <-beatT.C:
			if _, err := fmt.Fprint(s.c.Response(), ": keep-alive\n\n"); err != nil {
				return nil
			}
			s.c.Response().Flush()
		case <-pollT.C:
			next, err := s.h.Lookup(ctx, s.key.StepInstanceID, s.key.ExecuteCount, s.key.Batch, s.key.HostID)
			if err != nil {
				return s.fail(err)
			}
			state, needRead = next, true
		}
	}
}

// catchUp sends what is stored beyond the stream's offset; final sends a
// trailing part of a character too (the log is complete: nothing will
// complete it).
func (s *stream) catchUp(ctx context.Context, final bool) error {
	for {
		l, err := s.h.Svc.ReadScript(ctx, s.key, s.offset, streamReadLimit)
		if err != nil {
			return err
		}
		if len(l.Content) == 0 {
			return nil
		}
		before := s.offset
		if err := s.sendLog(l.Offset, l.Content, final); err != nil {
			return err
		}
		if s.offset == before {
			return nil // only part of a character: its rest is not stored yet
		}
	}
}

// sendLog sends data as one "log" event. A character split between chunks
// is held back and sent whole with the chunk that completes it
// (text.RuneBoundary), so a UTF-8 log never shows a split as two U+FFFD;
// all sends data as it is.
func (s *stream) sendLog(offset int64, data []byte, all bool) error {
	if !all {
		data = data[:text.RuneBoundary(data)]
	}
	if len(data) == 0 {
		return nil
	}
	next := offset + int64(len(data))
	if err := s.send("log", strconv.FormatInt(next, 10), logEvent{Offset: offset, Next: next, Data: text.ValidBytes(data)}); err != nil {
		return err
	}
	s.offset = next
	return nil
}

// send writes one SSE event and flushes it.
func (s *stream) send(event, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", event, err)
	}
	w := s.c.Response()
	if id != "" {
		if _, err := fmt.Fprintf(w, "id: %s\n", id); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
		return err
	}
	w.Flush()
	return nil
}

// fail reports an error inside an open stream as an "error" event.
func (s *stream) fail(err error) error {
	if s.c.Request().Context().Err() != nil {
		return nil
	}
	e := errs.From(err)
	if s.h.Log != nil {
		s.h.Log.Warn("log stream failed", "step_instance_id", s.key.StepInstanceID, "host_id", s.key.HostID, "err", err)
	}
	_ = s.send("error", "", map[string]string{"code": e.Code, "message": e.Message})
	return nil
}

// Export serves a zip of every host log of a step run:
// GET /logs/export?step_instance_id=&execute_count=&batch= (batch optional:
// every batch when absent).
func (h *Handlers) Export(c echo.Context) error {
	q, err := parseQuery(c, false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	state, err := h.lookup(ctx, q.step, q.exec, q.batch, 0)
	if err != nil {
		return err
	}
	ref := state.Ref
	if q.batch == AnyBatch {
		ref.Batch = AnyBatch
	}
	if err := ref.Validate(); err != nil {
		return err
	}
	if _, err := h.Svc.ListHosts(ctx, ref); err != nil { // fail before the headers go out
		return err
	}
	w := c.Response()
	name := fmt.Sprintf("bkjob_step_%d_%d_logs.zip", ref.StepInstanceID, ref.ExecuteCount)
	w.Header().Set(echo.HeaderContentType, "application/zip")
	w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
	w.WriteHeader(http.StatusOK)
	if err := h.Svc.ExportStep(ctx, ref, w); err != nil && h.Log != nil {
		h.Log.Warn("log export failed after it started", "step_instance_id", ref.StepInstanceID, "err", err)
	}
	return nil
}

// query is a parsed log request.
type query struct {
	step   int64
	exec   int
	batch  int
	host   int64
	offset int64
}

// parseQuery reads step_instance_id (required), execute_count (0),
// batch (AnyBatch when absent), and for streams host_id (required) and
// offset (0, or the Last-Event-ID header of a reconnect).
func parseQuery(c echo.Context, stream bool) (query, error) {
	q := query{batch: AnyBatch}
	var err error
	if q.step, err = intParam(c, "step_instance_id", true, 1); err != nil {
		return q, err
	}
	exec, err := intParam(c, "execute_count", false, 0)
	if err != nil {
		return q, err
	}
	q.exec = int(exec)
	if c.QueryParam("batch") != "" {
		b, err := intParam(c, "batch", false, 0)
		if err != nil {
			return q, err
		}
		q.batch = int(b)
	}
	if !stream {
		return q, nil
	}
	if q.host, err = intParam(c, "host_id", true, 1); err != nil {
		return q, err
	}
	if c.QueryParam("offset") == "" && c.Request().Header.Get("Last-Event-ID") != "" {
		off, perr := strconv.ParseInt(c.Request().Header.Get("Last-Event-ID"), 10, 64)
		if perr != nil || off < 0 {
			return q, errs.Invalid("Last-Event-ID", "must be a log offset, got %q", c.Request().Header.Get("Last-Event-ID"))
		}
		q.offset = off
		return q, nil
	}
	q.offset, err = intParam(c, "offset", false, 0)
	return q, err
}

func intParam(c echo.Context, name string, required bool, minimum int64) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		if required {
			return 0, errs.Required(name)
		}
		return 0, nil
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < minimum {
		return 0, errs.Invalid(name, "must be an integer >= %d, got %q", minimum, raw)
	}
	return v, nil
}

package executeimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	// callbackBatch is how many due callbacks one pass loads.
	callbackBatch = 100
	// callbackSenders is how many callbacks one process sends at once.
	callbackSenders = 8
	// callbackHistory is how many attempts a delivery row keeps.
	callbackHistory = 50
	// maxCallbackError is the longest last_error kept, in bytes.
	maxCallbackError = 1000
)

// callbackAttempt is one POST of an attempt, an entry of
// callback_delivery.history.
type callbackAttempt struct {
	Attempt  int    `json:"attempt"`
	At       int64  `json:"at"`
	Encoding string `json:"encoding"`
	Status   int    `json:"http_status,omitempty"`
	Error    string `json:"error,omitempty"`
}

// callbackLoop sends due callbacks: at start (what an earlier process left
// pending), when a job ends here, and every poll interval.
func (e *Engine) callbackLoop(ctx context.Context) {
	defer e.loops.Done()
	poll := min(time.Second, e.cb.backoff)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		// A full batch may have more behind it.
		for e.deliverDue(ctx) == callbackBatch && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.cb.wake:
		}
	}
}

// deliverDue claims and sends the callbacks due now, a few at a time, and
// returns how many it claimed.
func (e *Engine) deliverDue(ctx context.Context) int {
	if !e.enter() {
		return 0
	}
	defer e.work.Done()
	now := e.nowMS()
	due, err := e.st.dueCallbacks(ctx, now, callbackBatch)
	if err != nil {
		e.log.Warn("load due callbacks", "err", err)
		return 0
	}
	sem := make(chan struct{}, callbackSenders)
	var wg sync.WaitGroup
	claimed := 0
	for i := range due {
		d := &due[i]
		sem <- struct{}{} // claim only when a sender is free, so the lease covers the send
		// A claim outlives one attempt: a sender that dies mid-attempt
		// leaves the row to another one after the lease.
		at := e.nowMS()
		ok, err := e.st.claimCallback(ctx, d, at, at+(2*e.cb.timeout+5*time.Second).Milliseconds())
		if err != nil || !ok {
			<-sem
			if err != nil {
				e.log.Warn("claim callback", "job_instance_id", d.JobInstanceID, "err", err)
			}
			continue // !ok: another process took it
		}
		claimed++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			e.deliver(ctx, d)
		}()
	}
	wg.Wait()
	return claimed
}

// deliver makes attempt d.Attempts and records its outcome: delivered,
// retried after the backoff, or given up once api.callback_retry_for has
// passed since the job ended. The URL is checked again first, against the
// api.callback_* settings of this process: a row queued before an
// operator tightened the allowlist is not sent. A refusal counts as a
// failed attempt, not a final one, so a process still on the old settings
// during a rolling change cannot give up a row the new settings allow.
func (e *Engine) deliver(ctx context.Context, d *callbackDelivery) {
	var posts []attemptResult
	if err := e.callbackURL(d.URL); err != nil {
		posts = []attemptResult{{encoding: "json", err: fmt.Errorf("refused, not sent: %w", err)}}
	} else if payload, err := e.callbackPayload(ctx, d); err != nil {
		posts = []attemptResult{{encoding: "json", err: err}}
	} else {
		posts = e.cb.send(ctx, d.URL, payload)
	}
	if ctx.Err() != nil {
		return // stopping: the claim lapses and the attempt is made again
	}
	now := e.nowMS()
	hist := d.History
	for _, p := range posts {
		hist = appendAttempt(hist, callbackAttempt{Attempt: d.Attempts, At: now, Encoding: p.encoding,
			Status: p.status, Error: errText(p.err)})
	}
	res := posts[len(posts)-1]
	set := map[string]any{"history": hist, "update_time": now}
	jobStatus := callbackPending
	switch {
	case res.err == nil:
		set["state"], set["last_error"] = deliveryDelivered, ""
		jobStatus = callbackDone
		e.log.Info("callback sent", "job_instance_id", d.JobInstanceID, "attempt", d.Attempts)
	default:
		set["last_error"] = errText(res.err)
		next := now + e.cb.delay(d.Attempts).Milliseconds()
		if next > d.CreateTime+e.cb.retryFor.Milliseconds() {
			set["state"] = deliveryGaveUp
			jobStatus = callbackFailed
			e.log.Warn("callback given up", "job_instance_id", d.JobInstanceID, "attempts", d.Attempts, "err", res.err)
		} else {
			set["next_attempt_at"] = next
			e.log.Warn("callback failed, will retry", "job_instance_id", d.JobInstanceID, "attempt", d.Attempts,
				"retry_in", time.Duration(next-now)*time.Millisecond, "err", res.err)
		}
	}
	if err := e.st.recordCallback(ctx, d, set, jobStatus); err != nil {
		e.log.Warn("record callback", "job_instance_id", d.JobInstanceID, "err", err)
	}
}

// callbackPayload is d's body; rows queued by an older version have none
// and get it from the job as it is now.
func (e *Engine) callbackPayload(ctx context.Context, d *callbackDelivery) ([]byte, error) {
	if d.Payload != "" {
		return []byte(d.Payload), nil
	}
	job, err := e.st.job(ctx, d.JobInstanceID)
	if err != nil {
		return nil, err
	}
	steps, err := e.st.jobSteps(ctx, d.JobInstanceID)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(newCallbackBody(job.ID, job.Status, steps))
	if err != nil {
		return nil, fmt.Errorf("encode callback of task instance %d: %w", job.ID, err)
	}
	return b, nil
}

// appendAttempt adds a to the JSON history, keeping the last callbackHistory.
func appendAttempt(history string, a callbackAttempt) string {
	var list []callbackAttempt
	if history != "" {
		_ = json.Unmarshal([]byte(history), &list) // a damaged history starts again
	}
	list = append(list, a)
	if len(list) > callbackHistory {
		list = list[len(list)-callbackHistory:]
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// errText is err's message as valid UTF-8 of at most maxCallbackError bytes.
func errText(err error) string {
	if err == nil {
		return ""
	}
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	if len(s) <= maxCallbackError {
		return s
	}
	cut := maxCallbackError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

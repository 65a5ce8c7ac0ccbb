package executeimpl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/egress"
)

// callbackBody is bk-job's callback payload.
type callbackBody struct {
	JobInstanceID    int64          `json:"job_instance_id"`
	Status           int            `json:"status"`
	StepInstanceList []callbackStep `json:"step_instance_list"`
}

type callbackStep struct {
	StepInstanceID int64 `json:"step_instance_id"`
	Status         int   `json:"status"`
}

func newCallbackBody(jobID int64, status int, steps []stepInstance) callbackBody {
	body := callbackBody{JobInstanceID: jobID, Status: status, StepInstanceList: []callbackStep{}}
	for _, s := range steps {
		body.StepInstanceList = append(body.StepInstanceList, callbackStep{StepInstanceID: s.ID, Status: s.Status})
	}
	return body
}

// callbacks is how the engine checks and sends callbacks: the allowlist,
// the SSRF-safe client and the retry schedule, from api.callback_*.
type callbacks struct {
	allow        egress.Allowlist
	allowPrivate bool
	client       *http.Client
	timeout      time.Duration
	retryFor     time.Duration
	backoff      time.Duration
	backoffMax   time.Duration
	wake         chan struct{}
}

// newCallbacks reads api.callback_*; zero durations (a Config that was not
// loaded, as in tests) take the defaults of defaults.yaml.
func newCallbacks(api config.API, lookup func(context.Context, string) ([]netip.Addr, error)) (*callbacks, error) {
	allow, err := egress.ParseAllowlist(api.CallbackAllowlist)
	if err != nil {
		return nil, fmt.Errorf("api.callback_allowlist: %w", err)
	}
	or := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	c := &callbacks{
		allow:        allow,
		allowPrivate: api.CallbackAllowPrivate,
		timeout:      or(api.CallbackTimeout, 10*time.Second),
		retryFor:     or(api.CallbackRetryFor, time.Hour),
		backoff:      or(api.CallbackBackoff, 2*time.Second),
		backoffMax:   or(api.CallbackBackoffMax, 5*time.Minute),
		wake:         make(chan struct{}, 1),
	}
	c.backoffMax = max(c.backoffMax, c.backoff)
	c.client = egress.NewClient(egress.Policy{AllowPrivate: c.allowPrivate, Lookup: lookup}, c.timeout)
	return c, nil
}

// delay is how long to wait after failed attempt n (1, 2, …): backoff
// doubled n-1 times, at most backoffMax.
func (c *callbacks) delay(n int) time.Duration {
	d := c.backoff
	for i := 1; i < n && d < c.backoffMax; i++ {
		d *= 2
	}
	return min(d, c.backoffMax)
}

// poke wakes the delivery loop without blocking.
func (c *callbacks) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// attemptResult is what one POST gave: the HTTP status (0 when none came
// back) and the error, nil on HTTP 200.
type attemptResult struct {
	encoding string
	status   int
	err      error
}

// send makes one attempt: the payload as JSON and, when the receiver
// answers that with an HTTP error (4xx, 5xx), once more as
// application/x-www-form-urlencoded, what older bk-job sent. It returns
// what each POST gave; the attempt succeeded when the last one did.
func (c *callbacks) send(ctx context.Context, target string, payload []byte) []attemptResult {
	first := c.post(ctx, target, "json", "application/json", payload)
	if first.err == nil || first.status < http.StatusBadRequest {
		return []attemptResult{first}
	}
	form, err := formBody(payload)
	if err != nil {
		return []attemptResult{first, {encoding: "form", err: err}}
	}
	return []attemptResult{first, c.post(ctx, target, "form", "application/x-www-form-urlencoded", form)}
}

// post sends body once. Success is HTTP 200; a redirect is not followed
// and counts as a failure.
func (c *callbacks) post(ctx context.Context, target, encoding, contentType string, body []byte) attemptResult {
	res := attemptResult{encoding: encoding}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		res.err = fmt.Errorf("build callback request: %w", err)
		return res
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.client.Do(req)
	if err != nil {
		res.err = fmt.Errorf("post callback: %w", err)
		return res
	}
	defer func() { _ = resp.Body.Close() }() // the status is the answer; the body is drained for reuse only
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res.status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		res.err = fmt.Errorf("post callback: HTTP %s", strings.TrimSpace(resp.Status))
	}
	return res
}

// formBody turns the JSON payload into bk-job's older form encoding.
func formBody(payload []byte) ([]byte, error) {
	var body callbackBody
	if err := json.Unmarshal(payload, &body); err != nil {
		return nil, fmt.Errorf("decode callback payload: %w", err)
	}
	steps, err := json.Marshal(body.StepInstanceList)
	if err != nil {
		return nil, fmt.Errorf("encode callback: %w", err)
	}
	form := url.Values{}
	form.Set("job_instance_id", strconv.FormatInt(body.JobInstanceID, 10))
	form.Set("status", strconv.Itoa(body.Status))
	form.Set("step_instance_list", string(steps))
	return []byte(form.Encode()), nil
}

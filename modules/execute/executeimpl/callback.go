package executeimpl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// sendCallback POSTs the result to the job's callback_url: JSON first, and
// on failure one retry as application/x-www-form-urlencoded (what older
// bk-job sent). Success is HTTP 200. The pending → done | failed claim makes
// one engine send it.
func (e *Engine) sendCallback(ctx context.Context, jobID int64) error {
	job, err := e.st.job(ctx, jobID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if job.CallbackStatus != callbackPending || job.CallbackURL == "" {
		return nil
	}
	steps, err := e.st.jobSteps(ctx, jobID)
	if err != nil {
		return err
	}
	body := callbackBody{JobInstanceID: job.ID, Status: job.Status, StepInstanceList: []callbackStep{}}
	for _, s := range steps {
		body.StepInstanceList = append(body.StepInstanceList, callbackStep{StepInstanceID: s.ID, Status: s.Status})
	}
	ok, err := e.st.setCallback(ctx, job.ID, callbackPending, callbackDone, e.nowMS())
	if err != nil || !ok {
		return err
	}
	err = e.postJSON(ctx, job.CallbackURL, body)
	if err != nil {
		e.log.Warn("callback failed, retrying once as a form", "job_instance_id", job.ID, "err", err)
		err = e.postForm(ctx, job.CallbackURL, body)
	}
	if err != nil {
		e.log.Warn("callback failed", "job_instance_id", job.ID, "err", err)
		_, serr := e.st.setCallback(ctx, job.ID, callbackDone, callbackFailed, e.nowMS())
		return serr
	}
	e.log.Info("callback sent", "job_instance_id", job.ID)
	return nil
}

func (e *Engine) postJSON(ctx context.Context, target string, body callbackBody) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode callback: %w", err)
	}
	return e.post(ctx, target, "application/json", b)
}

func (e *Engine) postForm(ctx context.Context, target string, body callbackBody) error {
	steps, err := json.Marshal(body.StepInstanceList)
	if err != nil {
		return fmt.Errorf("encode callback: %w", err)
	}
	form := url.Values{}
	form.Set("job_instance_id", strconv.FormatInt(body.JobInstanceID, 10))
	form.Set("status", strconv.Itoa(body.Status))
	form.Set("step_instance_list", string(steps))
	return e.post(ctx, target, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

func (e *Engine) post(ctx context.Context, target, contentType string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.CallbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build callback request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post callback: %s", strings.TrimSpace(resp.Status))
	}
	return nil
}

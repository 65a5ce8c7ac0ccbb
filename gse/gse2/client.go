package gse2

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
)

// Client calls the GSE 2.0 API through the BK API gateway.
type Client struct {
	cfg  Config
	http *http.Client
	auth string
}

// ErrGSE is an answer with result=false or a non-2xx status.
var ErrGSE = errs.New("gse.apiError", http.StatusBadGateway, "GSE API call failed")

// NewClient returns a client; hc may be nil for a default one.
func NewClient(cfg Config, hc *http.Client) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if hc == nil {
		hc = &http.Client{}
	}
	auth, err := json.Marshal(Auth{AppCode: cfg.AppCode, AppSecret: cfg.AppSecret})
	if err != nil {
		return nil, fmt.Errorf("encode gse2 auth: %w", err)
	}
	return &Client{cfg: cfg, http: hc, auth: string(auth)}, nil
}

// call posts req to path and decodes the envelope's data into resp.
// Idempotent calls are retried after network errors and 5xx answers.
func (c *Client) call(ctx context.Context, path string, idempotent bool, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", path, err)
	}
	attempts := 1
	if idempotent {
		attempts += c.cfg.Retries
	}
	var lastErr error
	for i := range attempts {
		if i > 0 {
			select {
			case <-time.After(time.Duration(i) * 200 * time.Millisecond):
			case <-ctx.Done():
				return fmt.Errorf("call gse %s: %w", path, ctx.Err())
			}
		}
		retry, err := c.once(ctx, path, body, resp)
		if err == nil {
			return nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return lastErr
}

func (c *Client) once(ctx context.Context, path string, body []byte, resp any) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.HTTPTimeout)
	defer cancel()
	url := strings.TrimRight(c.cfg.URL, "/") + path
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build gse %s request: %w", path, err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(HeaderAuthorization, c.auth)
	r.Header.Set(HeaderTenant, c.cfg.TenantID)
	res, err := c.http.Do(r)
	if err != nil {
		return true, fmt.Errorf("call gse %s: %w", path, err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<30))
	if err != nil {
		return true, fmt.Errorf("read gse %s answer: %w", path, err)
	}
	var env Envelope
	decodeErr := json.Unmarshal(raw, &env)
	if res.StatusCode/100 != 2 {
		msg := strings.TrimSpace(env.Message)
		if decodeErr != nil || msg == "" {
			msg = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		return res.StatusCode >= 500, ErrGSE.Withf("gse %s: http %d: %s", path, res.StatusCode, msg)
	}
	if decodeErr != nil {
		return false, ErrGSE.Withf("gse %s: decode answer: %v", path, decodeErr)
	}
	if !env.Result {
		return false, ErrGSE.Withf("gse %s: code %d: %s", path, env.Code, env.Message)
	}
	if resp == nil {
		return false, nil
	}
	if err := json.Unmarshal(env.Data, resp); err != nil {
		return false, ErrGSE.Withf("gse %s: decode data: %v", path, err)
	}
	return false, nil
}

// ExecuteScript starts a script task and returns GSE's task id.
func (c *Client) ExecuteScript(ctx context.Context, req ExecuteScriptRequest) (string, error) {
	var data TaskIDData
	if err := c.call(ctx, PathExecuteScript, false, req, &data); err != nil {
		return "", err
	}
	if data.Result.TaskID == "" {
		return "", ErrGSE.Withf("gse %s: answer has no task id", PathExecuteScript)
	}
	return data.Result.TaskID, nil
}

// ScriptResult polls a script task.
func (c *Client) ScriptResult(ctx context.Context, req ScriptResultRequest) ([]ScriptResult, error) {
	var data ScriptResultData
	err := c.call(ctx, PathScriptResult, true, req, &data)
	return data.Result, err
}

// TransferFile starts a file task and returns GSE's task id.
func (c *Client) TransferFile(ctx context.Context, req TransferFileRequest) (string, error) {
	var data TaskIDData
	if err := c.call(ctx, PathTransferFile, false, req, &data); err != nil {
		return "", err
	}
	if data.Result.TaskID == "" {
		return "", ErrGSE.Withf("gse %s: answer has no task id", PathTransferFile)
	}
	return data.Result.TaskID, nil
}

// TransferResult polls a file task.
func (c *Client) TransferResult(ctx context.Context, req TaskAgentsRequest) ([]FileResult, error) {
	var data FileResultData
	err := c.call(ctx, PathTransferResult, true, req, &data)
	return data.Result, err
}

// TerminateScript stops a script task on agents.
func (c *Client) TerminateScript(ctx context.Context, req TaskAgentsRequest) error {
	return c.call(ctx, PathTerminateScript, true, req, nil)
}

// TerminateTransfer stops a file task on agents.
func (c *Client) TerminateTransfer(ctx context.Context, req TaskAgentsRequest) error {
	return c.call(ctx, PathTerminateTransfer, true, req, nil)
}

// ListAgentState returns the state of agents, in batches of 5000.
func (c *Client) ListAgentState(ctx context.Context, agentIDs []string) ([]AgentStateInfo, error) {
	var out []AgentStateInfo
	for start := 0; start < len(agentIDs); start += maxAgentStateBatchSize {
		batch := agentIDs[start:min(start+maxAgentStateBatchSize, len(agentIDs))]
		var data []AgentStateInfo
		if err := c.call(ctx, PathListAgentState, true, ListAgentStateRequest{AgentIDs: batch}, &data); err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	return out, nil
}

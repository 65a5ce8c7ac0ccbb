package logsvr

import (
	"context"
	"io"
	"time"

	"github.com/bkjob/bkjob/platform/bus"
)

// Client carries Service calls over the bus to a logsvr role elsewhere (or
// in this process, when bus.force_remote is set). ExportStep reads through
// the bus; Watch polls (see clientWatch).
type Client struct {
	b bus.Bus
	// Poll is how often Watch polls the remote store (500 ms when zero).
	Poll time.Duration
}

var _ Service = (*Client)(nil)

// NewClient returns a remote Service.
func NewClient(b bus.Bus) *Client { return &Client{b: b} }

type writeFileReq struct {
	Logs []FileLog `json:"logs"`
}

type writeScriptReq struct {
	Chunks []ScriptChunk `json:"chunks"`
}

type readScriptReq struct {
	Key    HostKey `json:"key"`
	Offset int64   `json:"offset"`
	Limit  int     `json:"limit"`
}

type hostsReq struct {
	Step    StepRef `json:"step"`
	HostIDs []int64 `json:"host_ids,omitempty"`
	Keyword string  `json:"keyword,omitempty"`
	Mode    int     `json:"mode,omitempty"`
}

type purgeReq struct {
	OlderThan time.Time `json:"older_than"`
}

type none struct{}

func (c *Client) WriteScript(ctx context.Context, chunks []ScriptChunk) error {
	_, err := bus.Call[writeScriptReq, none](ctx, c.b, MethodWriteScript, writeScriptReq{chunks})
	return err
}

func (c *Client) WriteFile(ctx context.Context, logs []FileLog) error {
	_, err := bus.Call[writeFileReq, none](ctx, c.b, MethodWriteFile, writeFileReq{logs})
	return err
}

func (c *Client) Flush(ctx context.Context) error {
	_, err := bus.Call[none, none](ctx, c.b, MethodFlush, none{})
	return err
}

func (c *Client) ReadScript(ctx context.Context, key HostKey, offset int64, limit int) (ScriptLog, error) {
	return bus.Call[readScriptReq, ScriptLog](ctx, c.b, MethodReadScript, readScriptReq{key, offset, limit})
}

func (c *Client) ReadHosts(ctx context.Context, step StepRef, hostIDs []int64) ([]ScriptLog, error) {
	return bus.Call[hostsReq, []ScriptLog](ctx, c.b, MethodReadHosts, hostsReq{Step: step, HostIDs: hostIDs})
}

func (c *Client) ListHosts(ctx context.Context, step StepRef) ([]HostLog, error) {
	return bus.Call[hostsReq, []HostLog](ctx, c.b, MethodListHosts, hostsReq{Step: step})
}

func (c *Client) SearchHosts(ctx context.Context, step StepRef, keyword string) ([]int64, error) {
	return bus.Call[hostsReq, []int64](ctx, c.b, MethodSearchHosts, hostsReq{Step: step, Keyword: keyword})
}

func (c *Client) ReadFileLogs(ctx context.Context, step StepRef, hostIDs []int64, mode int) ([]FileLog, error) {
	return bus.Call[hostsReq, []FileLog](ctx, c.b, MethodReadFileLogs, hostsReq{Step: step, HostIDs: hostIDs, Mode: mode})
}

func (c *Client) ExportStep(ctx context.Context, step StepRef, w io.Writer) error {
	return WriteZip(ctx, c, step, w)
}

func (c *Client) Purge(ctx context.Context, olderThan time.Time) (int, error) {
	return bus.Call[purgeReq, int](ctx, c.b, MethodPurge, purgeReq{olderThan})
}

// Serve registers svc's handlers on the bus, so remote clients reach it.
func Serve(b bus.Bus, svc Service) error {
	handlers := []func() error{
		func() error {
			return bus.Handle(b, MethodWriteScript, func(ctx context.Context, r writeScriptReq) (none, error) {
				return none{}, svc.WriteScript(ctx, r.Chunks)
			})
		},
		func() error {
			return bus.Handle(b, MethodWriteFile, func(ctx context.Context, r writeFileReq) (none, error) {
				return none{}, svc.WriteFile(ctx, r.Logs)
			})
		},
		func() error {
			return bus.Handle(b, MethodFlush, func(ctx context.Context, _ none) (none, error) { return none{}, svc.Flush(ctx) })
		},
		func() error {
			return bus.Handle(b, MethodReadScript, func(ctx context.Context, r readScriptReq) (ScriptLog, error) {
				return svc.ReadScript(ctx, r.Key, r.Offset, r.Limit)
			})
		},
		func() error {
			return bus.Handle(b, MethodReadHosts, func(ctx context.Context, r hostsReq) ([]ScriptLog, error) {
				return svc.ReadHosts(ctx, r.Step, r.HostIDs)
			})
		},
		func() error {
			return bus.Handle(b, MethodListHosts, func(ctx context.Context, r hostsReq) ([]HostLog, error) {
				return svc.ListHosts(ctx, r.Step)
			})
		},
		func() error {
			return bus.Handle(b, MethodSearchHosts, func(ctx context.Context, r hostsReq) ([]int64, error) {
				return svc.SearchHosts(ctx, r.Step, r.Keyword)
			})
		},
		func() error {
			return bus.Handle(b, MethodReadFileLogs, func(ctx context.Context, r hostsReq) ([]FileLog, error) {
				return svc.ReadFileLogs(ctx, r.Step, r.HostIDs, r.Mode)
			})
		},
		func() error {
			return bus.Handle(b, MethodPurge, func(ctx context.Context, r purgeReq) (int, error) { return svc.Purge(ctx, r.OlderThan) })
		},
	}
	for _, h := range handlers {
		if err := h(); err != nil {
			return err
		}
	}
	return nil
}

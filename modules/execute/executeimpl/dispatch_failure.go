package executeimpl

import (
	"context"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
)

// logDispatchFailure writes why the transport refused a file step into the
// file log of each host it was sent to, one failed entry per source file,
// so the reason shows where users look (error_msg alone is not in the API).
// A script step's log is left to its output.
func (e *Engine) logDispatchFailure(ctx context.Context, k taskKey, hosts []gse.Host, msg string) error {
	s, err := e.st.step(ctx, k.StepInstanceID)
	if err != nil || s.Type != execute.StepTypeFile {
		return err
	}
	d, err := s.file()
	if err != nil {
		return err
	}
	meta, err := e.steps.get(ctx, e.st, s.ID)
	if err != nil {
		return err
	}
	type source struct {
		hostID int64
		host   string
		path   string
	}
	var sources []source
	for _, src := range d.Sources {
		for _, b := range src.Blobs {
			sources = append(sources, source{path: b.Key})
		}
		for _, h := range src.Hosts {
			for _, f := range src.Files {
				sources = append(sources, source{hostID: h.HostID, host: fmt.Sprintf("%d:%s", h.CloudID, h.IP), path: f})
			}
		}
	}
	if len(sources) == 0 {
		sources = []source{{}}
	}
	ref := meta.logRef(k)
	now := time.UnixMilli(e.nowMS()).UTC()
	logs := make([]logsvr.FileLog, 0, len(hosts)*len(sources))
	for _, h := range hosts {
		for _, src := range sources {
			l := logsvr.FileLog{StepRef: ref, Mode: logsvr.ModeDownload, HostID: h.ID,
				SrcHostID: src.hostID, SrcHost: src.host, SrcPath: src.path, DestHostID: h.ID,
				DestHost: fmt.Sprintf("%d:%s", h.CloudID, h.IP), DestPath: d.TargetPath,
				Status: gse.FileStatusFailed, StatusDesc: msg}
			l.Lines = []logsvr.TimeLog{{Time: now, Content: fileStateLine(l, msg)}}
			logs = append(logs, l)
		}
	}
	if err := e.logs.WriteFile(ctx, logs); err != nil {
		return fmt.Errorf("write file logs of %s: %w", k.transportID(), err)
	}
	if err := e.logs.Flush(ctx); err != nil {
		return fmt.Errorf("flush file logs of %s: %w", k.transportID(), err)
	}
	return nil
}

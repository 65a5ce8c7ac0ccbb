package executeimpl

import (
	"context"
	"fmt"
	"strconv"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
)

// hostFileLogs is a target host's file log entries followed, as bk-job
// returns them, by the upload entries (mode 0) of the step's source hosts.
func (e *Engine) hostFileLogs(ctx context.Context, d fileDetail, ref logsvr.StepRef, hostID int64) ([]logsvr.FileLog, error) {
	logs, err := e.logs.ReadFileLogs(ctx, ref, []int64{hostID}, logsvr.ModeAll)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{hostID: true}
	var sources []int64
	for _, src := range d.Sources {
		for _, h := range src.Hosts {
			if !seen[h.HostID] {
				seen[h.HostID] = true
				sources = append(sources, h.HostID)
			}
		}
	}
	if len(sources) == 0 {
		return logs, nil
	}
	uploads, err := e.logs.ReadFileLogs(ctx, ref, sources, logsvr.ModeUpload)
	if err != nil {
		return nil, err
	}
	return append(logs, uploads...), nil
}

// fileHostNames maps a file step's source hosts and the given target rows
// to bk-job's "cloud:ip", to name the src_ip and dest_ip of log entries.
func fileHostNames(d fileDetail, rows ...hostTask) map[int64]string {
	names := map[int64]string{}
	for _, src := range d.Sources {
		for _, h := range src.Hosts {
			names[h.HostID] = fmt.Sprintf("%d:%s", h.CloudID, h.IP)
		}
	}
	for _, r := range rows {
		names[r.HostID] = fmt.Sprintf("%d:%s", r.CloudID, r.IP)
	}
	return names
}

// fileLogs renders the log store's file entries as the API's file_logs;
// names fills in the hosts the transport did not name.
func fileLogs(logs []logsvr.FileLog, names map[int64]string) []execute.FileLog {
	out := make([]execute.FileLog, 0, len(logs))
	for _, l := range logs {
		fl := execute.FileLog{Mode: l.Mode, SrcPath: l.SrcPath, DestPath: l.DestPath, Status: l.Status,
			Size: strconv.FormatInt(l.Size, 10), Speed: fmt.Sprintf("%d KB/s", l.Speed/1024), Process: fmt.Sprintf("%d%%", l.Percent)}
		if l.SrcHostID != 0 || l.SrcHost != "" {
			fl.SrcIP = logIP(l.SrcHostID, orName(l.SrcHost, names[l.SrcHostID]))
		}
		if l.Mode == logsvr.ModeDownload {
			fl.DestIP = logIP(l.DestHostID, orName(l.DestHost, names[l.DestHostID]))
		}
		for i, line := range l.Lines {
			if i > 0 {
				fl.LogContent += "\n"
			}
			fl.LogContent += line.Time.Format("[2006-01-02 15:04:05] ") + line.Content
		}
		out = append(out, fl)
	}
	return out
}

func orName(name, fallback string) string {
	if name != "" {
		return name
	}
	return fallback
}

// logIP splits a "cloud:ip" display name.
func logIP(hostID int64, display string) *execute.LogIP {
	ip := &execute.LogIP{HostID: hostID}
	for i := 0; i < len(display); i++ {
		if display[i] == ':' {
			ip.CloudID, _ = strconv.ParseInt(display[:i], 10, 64)
			ip.IP = display[i+1:]
			break
		}
	}
	return ip
}

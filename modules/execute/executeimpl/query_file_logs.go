package executeimpl

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
)

// hostFileLogs is a target host's file log entries followed, as bk-job
// returns them, by the upload entries (mode 0) of the step's source hosts.
// A transport that reports no upload of its own (the agent, ssh) gets one
// per finished download from a source host, made from the download.
func (e *Engine) hostFileLogs(ctx context.Context, d fileDetail, ref logsvr.StepRef, hostID int64) ([]logsvr.FileLog, error) {
	logs, err := e.logs.ReadFileLogs(ctx, ref, []int64{hostID}, logsvr.ModeAll)
	if err != nil {
		return nil, err
	}
	isSource := map[int64]bool{}
	var sources []int64
	for _, src := range d.Sources {
		for _, h := range src.Hosts {
			if !isSource[h.HostID] {
				isSource[h.HostID] = true
				if h.HostID != hostID { // its own uploads are read above
					sources = append(sources, h.HostID)
				}
			}
		}
	}
	if len(isSource) == 0 {
		return logs, nil
	}
	var uploads []logsvr.FileLog
	if len(sources) > 0 {
		if uploads, err = e.logs.ReadFileLogs(ctx, ref, sources, logsvr.ModeUpload); err != nil {
			return nil, err
		}
	}
	return withUploads(logs, uploads, isSource), nil
}

// withUploads is the host's entries, then the sources' stored uploads, then
// one upload made for each finished download from a source host (isSource)
// whose upload no transport reported.
func withUploads(logs, uploads []logsvr.FileLog, isSource map[int64]bool) []logsvr.FileLog {
	type key struct {
		host int64
		path string
	}
	have := map[key]bool{}
	for _, u := range append(logs[:len(logs):len(logs)], uploads...) {
		if u.Mode == logsvr.ModeUpload {
			have[key{u.HostID, u.SrcPath}] = true
		}
	}
	out := append(logs[:len(logs):len(logs)], uploads...)
	for _, l := range logs {
		k := key{l.SrcHostID, l.SrcPath}
		if l.Mode != logsvr.ModeDownload || !isSource[l.SrcHostID] || l.Status != gse.FileStatusFinished || have[k] {
			continue
		}
		have[k] = true
		u := logsvr.FileLog{StepRef: l.StepRef, Mode: logsvr.ModeUpload, HostID: l.SrcHostID, SrcHostID: l.SrcHostID,
			SrcHost: l.SrcHost, SrcPath: l.SrcPath, Size: l.Size, Bytes: l.Bytes, Speed: l.Speed, Percent: l.Percent, Status: l.Status}
		if len(l.Lines) > 0 {
			u.Lines = []logsvr.TimeLog{{Time: l.Lines[len(l.Lines)-1].Time, Content: fileStateLine(u, "")}}
		}
		out = append(out, u)
	}
	return out
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
// names fills in the hosts the transport did not name. A staged file
// (push_config_file) is shown by the user's file name, never its blob key.
func fileLogs(logs []logsvr.FileLog, names map[int64]string, d fileDetail) []execute.FileLog {
	var blobs []blobFile
	for _, src := range d.Sources {
		blobs = append(blobs, src.Blobs...)
	}
	// Longest key first: one key may be the start of another (".../1", ".../10").
	slices.SortFunc(blobs, func(a, b blobFile) int { return len(b.Key) - len(a.Key) })
	pairs := make([]string, 0, 2*len(blobs))
	for _, b := range blobs {
		pairs = append(pairs, b.Key, b.Name)
	}
	shown := strings.NewReplacer(pairs...)
	out := make([]execute.FileLog, 0, len(logs))
	for _, l := range logs {
		fl := execute.FileLog{Mode: l.Mode, SrcPath: shown.Replace(l.SrcPath), DestPath: l.DestPath, Status: l.Status,
			Size: formatFileSize(l.Size), Speed: formatSpeed(l.Speed), Process: fmt.Sprintf("%d%%", l.Percent)}
		// bk-job always names the source; a staged file's is empty.
		fl.SrcIP = logIP(l.SrcHostID, orName(l.SrcHost, names[l.SrcHostID]))
		if l.Mode == logsvr.ModeDownload {
			fl.DestIP = logIP(l.DestHostID, orName(l.DestHost, names[l.DestHostID]))
		}
		for i, line := range l.Lines {
			if i > 0 {
				fl.LogContent += "\n"
			}
			fl.LogContent += line.Time.Format("[2006-01-02 15:04:05] ") + shown.Replace(line.Content)
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

package executeimpl

import (
	"fmt"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/logsvr"
)

// formatFileSize is a byte count as bk-job shows it in file logs: one
// decimal and a 1024-based unit, "9.0 Bytes", "1.2 MB".
func formatFileSize(n int64) string {
	// bk-job's units, each 1024 of the one before.
	sizeUnits := [...]string{"Bytes", "KB", "MB", "GB", "TB", "PB"}
	if n < 0 {
		n = 0
	}
	v, u := float64(n), 0
	for v >= 1024 && u < len(sizeUnits)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.1f %s", v, sizeUnits[u])
}

// formatSpeed is a transfer speed in bytes per second as bk-job shows it.
func formatSpeed(bytesPerSec int64) string {
	return fmt.Sprintf("%d KB/s", max(bytesPerSec, 0)/1024)
}

// fileState is bk-job's wording of a file's state on one side of a transfer.
func fileState(mode, status int) string {
	side, verb := "dest agent", "download"
	if mode == logsvr.ModeUpload {
		side, verb = "source agent", "upload"
	}
	switch status {
	case gse.FileStatusFinished:
		return fmt.Sprintf("%s success %s file", side, verb)
	case gse.FileStatusFailed:
		return fmt.Sprintf("%s %s file failed", side, verb)
	default:
		return fmt.Sprintf("%s %s file in progress", side, verb)
	}
}

// fileStateLine is the log line bk-job writes for a file when its transfer
// ends, successful or not: the file, its size, state, speed and progress.
func fileStateLine(l logsvr.FileLog, detail string) string {
	name := l.DestPath
	if l.Mode == logsvr.ModeUpload || name == "" {
		name = l.SrcPath
	}
	state := fileState(l.Mode, l.Status)
	if detail == "" {
		detail = "success"
		if l.Status == gse.FileStatusFailed {
			detail = "failed"
		}
	}
	return fmt.Sprintf("FileName: %s FileSize: %s State: %s Speed: %s Progress: %d%% StatusDesc: %s Detail: %s",
		name, formatFileSize(l.Size), state, formatSpeed(l.Speed), l.Percent, state, detail)
}

// fileEnded tells whether a file status is final.
func fileEnded(status int) bool {
	return status == gse.FileStatusFinished || status == gse.FileStatusFailed
}

package gse

import (
	"fmt"
	"path"
	"time"
)

// DestDir is where src's files land on a target for the task's mode, the
// task having started at started: TargetDir itself for modes 1 and 2,
// TargetDir/<cloud>_<ip> for mode 3 and TargetDir/<YYYY-MM-DD>/<cloud>_<ip>
// for mode 4, where <cloud>_<ip> is bk-job's [FILESRCIP] of the source host
// and 0_0.0.0.0 for files that come from no host (the blob store).
func (t FileTask) DestDir(src FileSource, started time.Time) string {
	prefix := "0_0.0.0.0"
	if src.Host != nil {
		prefix = fmt.Sprintf("%d_%s", src.Host.CloudID, src.Host.IP)
	}
	switch t.Mode {
	case TransferSafetyIP:
		return path.Join(t.TargetDir, prefix)
	case TransferSafetyDateIP:
		return path.Join(t.TargetDir, started.Format(time.DateOnly), prefix)
	}
	return path.Clean(t.TargetDir)
}

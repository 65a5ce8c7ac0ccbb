package logsvr

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"strings"
)

// exportReadLimit bounds one read while exporting, so a big log streams.
const exportReadLimit = 1 << 20

// WriteZip writes a zip of every host's script log of the step run through
// the plain read methods of svc, so it works over any Service, local or
// remote. Stores implement ExportStep with it.
func WriteZip(ctx context.Context, svc Service, step StepRef, w io.Writer) error {
	if err := step.Validate(); err != nil {
		return err
	}
	hosts, err := svc.ListHosts(ctx, step)
	if err != nil {
		return fmt.Errorf("list hosts of step %d: %w", step.StepInstanceID, err)
	}
	zw := zip.NewWriter(w)
	used := make(map[string]int, len(hosts))
	for _, h := range hosts {
		name := ExportName(h.HostID, h.Host)
		if n := used[name]; n > 0 {
			name = fmt.Sprintf("%s_%d.log", strings.TrimSuffix(name, ".log"), n)
		}
		used[name]++
		f, err := zw.Create(name)
		if err != nil {
			return fmt.Errorf("create zip entry %s: %w", name, err)
		}
		key := HostKey{StepRef: step, HostID: h.HostID}
		key.Batch = h.Batch
		for off := int64(0); ; {
			part, err := svc.ReadScript(ctx, key, off, exportReadLimit)
			if err != nil {
				return fmt.Errorf("read log of host %d: %w", h.HostID, err)
			}
			if _, err := f.Write(part.Content); err != nil {
				return fmt.Errorf("write zip entry %s: %w", name, err)
			}
			if part.Next <= off || part.Next >= part.Size {
				break
			}
			off = part.Next
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish zip: %w", err)
	}
	return nil
}

// ExportName is the zip entry name of a host's log: "<cloud>_<ip>.log" from
// a "cloud:ip" display name, or "host_<id>.log" when there is none.
func ExportName(hostID int64, host string) string {
	if host == "" {
		return fmt.Sprintf("host_%d.log", hostID)
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		default:
			return '_'
		}
	}, host)
	return safe + ".log"
}

package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// refuseSources reports every source of a task refused as a whole as
// failed, with the reason, so it shows in the host's file log.
func (a *agent) refuseSources(t *task, job *wire.FileJob, err error) {
	sources := job.Sources
	if len(sources) == 0 {
		sources = []wire.FileSource{{}}
	}
	for _, src := range sources {
		srcPath := src.Path
		if src.BlobKey != "" {
			srcPath = src.BlobKey
		}
		a.addProgress(t, gse.FileProgress{Mode: 1, SrcHostID: src.HostID, SrcPath: srcPath, DestPath: job.TargetDir,
			Status: gse.FileStatusFailed, Message: err.Error()})
	}
}

// checkBase applies the transfer mode's rule for a missing target dir.
func (p *puller) checkBase() error {
	st, err := os.Stat(p.base)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("target %s is not a directory", p.base)
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist) && p.job.Mode == gse.TransferStrict:
		return fmt.Errorf("target directory %s does not exist (transfer mode 1 does not create it)", p.base)
	case errors.Is(err, fs.ErrNotExist):
		return p.mkdirs(p.base)
	default:
		return fmt.Errorf("target directory %s: %w", p.base, err)
	}
}

// mkdirs creates dir and its missing parents, owned by the account.
func (p *puller) mkdirs(dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("target %s is not a directory", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := p.mkdirs(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create target directory %s: %w", dir, err)
	}
	return p.acct.chown(dir)
}

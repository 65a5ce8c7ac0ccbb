package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

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

// openTarget applies the transfer mode's rule for a missing target dir and
// opens it for writing. For an account the agent switches to (other than
// root) the directory is opened without following a symbolic link that
// account could have planted, and every write goes through its handle.
func (p *puller) openTarget() error {
	if !guarded(p.acct) {
		if err := p.checkBase(); err != nil {
			return err
		}
		p.fs = plainFS{acct: p.acct}
		return nil
	}
	root, err := openBeneath(p.base, p.acct, p.job.Mode != gse.TransferStrict)
	if err != nil {
		return err
	}
	p.fs = &rootedFS{root: root, base: p.base, acct: p.acct}
	return nil
}

// closeTarget releases what openTarget opened.
func (p *puller) closeTarget() {
	if p.fs != nil {
		p.fs.close()
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
		return mkdirsAs(p.base, p.acct)
	default:
		return fmt.Errorf("target directory %s: %w", p.base, err)
	}
}

// mkdirs creates dir (at or below the target dir) and its missing parents,
// owned by the account.
func (p *puller) mkdirs(dir string) error { return p.fs.mkdirs(dir) }

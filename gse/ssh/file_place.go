package ssh

import (
	"context"
	"path"

	"github.com/pkg/sftp"

	"github.com/bkjob/bkjob/gse"
)

// guarded reports whether files for o must be put in place by o itself:
// the SSH login (root) acts for another, non-root account, which could
// have planted symbolic links in the target path that the login user's
// writes would follow.
func (o *owner) guarded() bool { return o != nil && o.uid != 0 }

// checkStrict applies transfer mode 1: the task's target dir must exist.
func checkStrict(cl *sftp.Client, task gse.FileTask) error {
	if task.Mode != gse.TransferStrict {
		return nil
	}
	st, err := cl.Stat(task.TargetDir)
	if err != nil || !st.IsDir() {
		return failf(gse.HostStatusFileError,
			"target directory %s does not exist (transfer mode 1 does not create it)", task.TargetDir)
	}
	return nil
}

// privateDir creates a fresh directory only the login user can enter, to
// stage and check a file before the account takes it.
func (t *Transport) privateDir(cl *sftp.Client) (string, error) {
	dir := path.Join(t.cfg.RemoteTempDir, "bkjob-file-"+randomHex(8))
	if err := cl.Mkdir(dir); err != nil {
		return "", failf(gse.HostStatusFileError, "create staging dir %s: %v", dir, err)
	}
	if err := cl.Chmod(dir, 0o700); err != nil {
		_ = cl.Remove(dir)
		return "", failf(gse.HostStatusFileError, "chmod staging dir %s: %v", dir, err)
	}
	return dir, nil
}

// placeAs runs cmd as the account (su), so the kernel
// checks every path in it with the account's own rights.
func (t *Transport) placeAs(ctx context.Context, c *conn, o *owner, cmd string) error {
	if _, err := t.control(ctx, c, "su -s /bin/sh "+shellQuote(o.name)+" -c "+shellQuote(cmd)); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return failf(gse.HostStatusFileError, "put file in place as %s: %v", o.name, err)
	}
	return nil
}

package ssh

import (
	"os/user"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/blob"
)

// TestContract runs the transport contract against the SSH transport with
// three hosts: three 127.0.0.x addresses of the test sshd.
func TestContract(t *testing.T) {
	gsetest.Run(t, func(t *testing.T) gsetest.Setup {
		env := requireSSH(t)
		store, err := blob.NewLocal(t.TempDir())
		require.NoError(t, err)
		rec := gsetest.NewRecorder()
		cfg := testConfig()
		cfg.MaxOutputBytes = 64 << 10
		tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg, blob: store})
		runAs := ""
		if env.user == "root" {
			if _, err := user.Lookup("nobody"); err == nil {
				runAs = "nobody"
			}
		}
		return gsetest.Setup{
			Transport: tr, Recorder: rec, Hosts: env.hosts(t, 3), MaxOutputBytes: cfg.MaxOutputBytes,
			RunAs: runAs, Blob: store,
		}
	})
}

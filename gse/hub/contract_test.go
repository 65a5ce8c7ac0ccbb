package hub_test

import (
	"os"
	"os/user"
	"testing"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

// TestContract runs the transport contract against the hub with three
// in-process agents standing for 127.0.0.11-13.
func TestContract(t *testing.T) {
	gsetest.Run(t, func(t *testing.T) gsetest.Setup {
		th := startHub(t, nil)
		var hosts []gse.Host
		for _, ip := range []string{"127.0.0.11", "127.0.0.12", "127.0.0.13"} {
			runAgent(t, th.agentOptions(t, ip))
			hosts = append(hosts, th.waitHost(t, ip))
		}
		runAs := ""
		if os.Geteuid() == 0 {
			if _, err := user.Lookup("nobody"); err == nil {
				runAs = "nobody"
			}
		}
		return gsetest.Setup{
			Transport: th.hub, Recorder: th.rec, Hosts: hosts, MaxOutputBytes: 64 << 10,
			RunAs: runAs, Blob: th.blob,
		}
	})
}

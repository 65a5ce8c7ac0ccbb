package logsvrtest_test

import (
	"testing"

	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
)

func TestFakeContract(t *testing.T) {
	logsvrtest.Run(t, logsvrtest.FakeStorage)
}

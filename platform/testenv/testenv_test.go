package testenv_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

func TestRequireReturnsValue(t *testing.T) {
	t.Setenv("BKJOB_TEST_TESTENV_VALUE", "x://y")
	require.Equal(t, "x://y", testenv.Require(t, "BKJOB_TEST_TESTENV_VALUE"))
}

// recorder captures Skipf and Fatalf instead of ending the test.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = true }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = true }

func TestRequireUnset(t *testing.T) {
	tests := []struct {
		name        string
		ci          string
		wantSkipped bool
		wantFailed  bool
	}{
		{name: "by hand skips", ci: "", wantSkipped: true},
		{name: "ci fails", ci: "true", wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("BKJOB_TEST_TESTENV_UNSET", "")
			r := &recorder{TB: t}
			require.Empty(t, testenv.Require(r, "BKJOB_TEST_TESTENV_UNSET"))
			require.Equal(t, tt.wantSkipped, r.skipped)
			require.Equal(t, tt.wantFailed, r.failed)
		})
	}
}

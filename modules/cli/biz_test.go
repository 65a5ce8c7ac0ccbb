package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bkjob runs the CLI on dataDir and returns its exit status and output.
func bkjob(t *testing.T, dataDir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append(args, "--data-dir", dataDir, "--log-level", "warn"), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestBizCommands: businesses and sets made and changed on the server's
// database; a refused input says which field and why, exits 2 and
// changes nothing.
func TestBizCommands(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := bkjob(t, dir, "biz", "create", "--id", "2", "--name", "Payments", "--time-zone", "Asia/Tokyo", "--maintainers", "alice,bob")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `biz\s+2\s+Payments\s+Asia/Tokyo\s+alice,bob\s+-\s+enabled`, out)

	code, _, stderr = bkjob(t, dir, "biz", "create", "--id", "3", "--name", "X", "--time-zone", "Mars/Olympus")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, `time_zone: "Mars/Olympus" is not an IANA time zone`)
	code, _, stderr = bkjob(t, dir, "biz", "create", "--id", "2", "--name", "Again")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "bk_biz_id: id 2 is taken")
	code, _, stderr = bkjob(t, dir, "biz", "create", "--name", "NoID")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "--id is required")

	code, out, stderr = bkjob(t, dir, "biz-set", "create", "--id", "8000001", "--name", "Shop", "--members", "2,1")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `biz_set\s+8000001\s+Shop\s+\S+\s+-\s+1,2\s+enabled`, out)
	code, _, stderr = bkjob(t, dir, "biz-set", "create", "--id", "8000002", "--name", "Nested", "--members", "8000001")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "a set cannot contain a set")

	code, _, stderr = bkjob(t, dir, "biz", "update", "--id", "2", "--disable")
	require.Equal(t, exitUsage, code, "a member of a set stays enabled")
	require.Contains(t, stderr, "member of business sets [8000001]")
	code, _, stderr = bkjob(t, dir, "biz-set", "update", "--id", "8000001", "--members", "1")
	require.Equal(t, 0, code, stderr)
	code, out, stderr = bkjob(t, dir, "biz", "update", "--id", "2", "--disable", "--time-zone", "Europe/Paris")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `biz\s+2\s+Payments\s+Europe/Paris\s+alice,bob\s+-\s+disabled`, out, "fields not given are kept")
	code, _, _ = bkjob(t, dir, "biz", "update", "--id", "2", "--disable", "--enable")
	require.Equal(t, exitUsage, code)

	code, out, stderr = bkjob(t, dir, "biz", "list")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "Payments", "disabled ones only with --all")
	require.Contains(t, out, "Default")
	_, out, _ = bkjob(t, dir, "biz", "list", "--all", "--type", "biz")
	require.Contains(t, out, "Payments")
	require.NotContains(t, out, "biz_set")
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 3, out)
}

package manageimpl

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZoneNameFrom(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	tzFile := filepath.Join(dir, "timezone")
	require.NoError(t, os.WriteFile(tzFile, []byte("Europe/Paris\n"), 0o600))

	require.Equal(t, "America/New_York", zoneNameFrom("America/New_York", missing, tzFile), "TZ wins")
	require.Equal(t, "Asia/Tokyo", zoneNameFrom(":Asia/Tokyo", missing, missing), "TZ's leading colon is POSIX syntax")
	require.Equal(t, "Europe/Paris", zoneNameFrom("", missing, tzFile))
	require.Equal(t, "Europe/Paris", zoneNameFrom("Not/AZone", missing, tzFile), "a zone Go cannot load is skipped")
	require.Equal(t, "UTC", zoneNameFrom("Local", missing, missing))

	if zoneinfo, err := filepath.EvalSymlinks("/usr/share/zoneinfo/Asia/Kolkata"); err == nil {
		link := filepath.Join(dir, "localtime")
		require.NoError(t, os.Symlink(zoneinfo, link))
		require.Equal(t, "Asia/Kolkata", zoneNameFrom("", link, missing), "/etc/localtime's link names the zone")
	}
}

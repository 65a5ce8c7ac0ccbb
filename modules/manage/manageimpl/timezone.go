package manageimpl

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// localZoneName is the IANA name of this host's time zone, given to the
// business created at first start so its dates read as the operator's clock
// does (bk-job's own default, Asia/Shanghai, is wrong for most of the world).
// TZ wins, then /etc/localtime's link into the zoneinfo tree, then
// /etc/timezone (Debian); UTC when none names a zone Go can load.
func localZoneName() string {
	return zoneNameFrom(os.Getenv("TZ"), "/etc/localtime", "/etc/timezone")
}

func zoneNameFrom(tz, localtime, timezoneFile string) string {
	candidates := []string{strings.TrimPrefix(tz, ":")}
	if target, err := filepath.EvalSymlinks(localtime); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			candidates = append(candidates, name)
		}
	}
	if b, err := os.ReadFile(timezoneFile); err == nil { //nolint:gosec // G304: fixed system path, not user input
		candidates = append(candidates, strings.TrimSpace(string(b)))
	}
	for _, name := range candidates {
		// "Local" and "" load but are not names a browser understands.
		if name == "" || name == "Local" {
			continue
		}
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	return "UTC"
}

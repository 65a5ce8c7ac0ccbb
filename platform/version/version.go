// Package version holds build information set with -ldflags -X.
package version

// Set at build time: -X github.com/bkjob/bkjob/platform/version.Version=…
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// Info is the build information as served by the API.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"build_date"`
}

// Get returns the build information.
func Get() Info { return Info{Version: Version, Commit: Commit, BuildDate: BuildDate} }

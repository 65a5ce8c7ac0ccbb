//go:build ui

package frontend

import (
	"embed"
	"io/fs"
)

// dist is the Vite build output; go:embed needs a package-level variable.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built UI (the contents of frontend/dist) and true.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, false
	}
	return sub, true
}

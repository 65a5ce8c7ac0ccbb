//go:build !ui

package frontend

import "io/fs"

// Dist reports that this binary was built without the `ui` tag: no UI.
func Dist() (fs.FS, bool) { return nil, false }

// Package frontend holds the Vue 3 + Vite web UI and exposes its build output.
//
// `npm run build` (or `go tool task ui`) writes the bundle to frontend/dist.
// Built with the `ui` tag the bundle is embedded into the binary; without it
// Dist reports that no UI is available, so `go test ./...` never needs Node.
package frontend

// BuildHint tells how to get a binary that serves the UI; the server shows it
// in place of the UI when Dist reports none.
const BuildHint = "This bkjob binary was built without the web UI. Build it with `go tool task build` " +
	"(runs `npm ci && npm run build` in frontend/, then `go build -tags ui`)."

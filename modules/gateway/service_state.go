package gateway

import (
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/version"
)

// RoleState is one role of this process as the service status page shows
// it. Kind is "role" (selectable with --roles), "plumbing" (a hidden
// dependency: database, bus, …) or "pending" (a role whose logic is not
// built yet: it starts and does nothing).
type RoleState struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Ready bool   `json:"ready"`
}

// ServiceState is GET /api/web/service_state (administrators only): the
// process this gateway runs in, what /readyz says per role, and its build.
// The gateway knows no other process of a split deployment: each answers
// its own /readyz.
type ServiceState struct {
	Hostname     string       `json:"hostname"`
	PID          int          `json:"pid"`
	StartedAt    int64        `json:"started_at"` // Unix ms
	Version      version.Info `json:"version"`
	Ready        bool         `json:"ready"`
	Roles        []RoleState  `json:"roles"`
	BackendsDown []string     `json:"backends_down"`
}

// Process tells the gateway about the process it runs in; the app fills
// it (the role manager and the backend checks exist before any request).
type Process struct {
	StartedAt time.Time
	// Roles are the process's roles in start order with their kinds.
	Roles func() []RoleState
	// NotReady lists the roles not ready; BackendsDown the backends that
	// stopped answering (nil: none checked). Both are /readyz's sources.
	NotReady     func() []string
	BackendsDown func() []string
}

// serviceState answers GET /api/web/service_state.
func (g *Gateway) serviceState(c echo.Context) error {
	if a, ok := httpx.ActorOf(c); !ok || !a.AllScopes {
		return httpx.ErrNotAdmin
	}
	st := ServiceState{PID: os.Getpid(), Version: version.Get(), Roles: []RoleState{}, BackendsDown: []string{}}
	st.Hostname, _ = os.Hostname()
	p := g.process
	if p == nil {
		return c.JSON(http.StatusOK, st)
	}
	st.StartedAt = p.StartedAt.UnixMilli()
	notReady := map[string]bool{}
	if p.NotReady != nil {
		for _, r := range p.NotReady() {
			notReady[r] = true
		}
	}
	if p.Roles != nil {
		for _, r := range p.Roles() {
			r.Ready = !notReady[r.Name]
			st.Roles = append(st.Roles, r)
		}
	}
	if p.BackendsDown != nil {
		st.BackendsDown = append(st.BackendsDown, p.BackendsDown()...)
	}
	st.Ready = len(notReady) == 0 && len(st.BackendsDown) == 0
	return c.JSON(http.StatusOK, st)
}

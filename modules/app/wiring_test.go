package app

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/roles"
)

func TestRoleTableIsValid(t *testing.T) {
	table := RoleGraph()
	require.NoError(t, table.Validate())
	require.Equal(t, []string{"all", "analysis", "backup", "crontab", "execute", "filegateway", "fileworker", "gateway", "gse", "logsvr", "manage"},
		table.Names(), "plumbing is hidden from --roles and `bkjob roles`")
	for _, hidden := range []string{"db", "bus", "blob", "cache", "lock", "crypto"} {
		require.True(t, table[hidden].Hidden, hidden)
		_, err := table.Resolve(hidden)
		require.ErrorIs(t, err, roles.ErrUnknownRole, "%s cannot be selected", hidden)
	}
}

func TestProvisionOrder(t *testing.T) {
	table := RoleGraph()
	tests := map[string]struct {
		roles string
		want  []string
	}{
		"all": {"all", []string{"db", "crypto", "bus", "manage", "logsvr", "blob", "gse", "execute",
			"crontab", "backup", "analysis", "filegateway", "fileworker", "cache", "gateway"}},
		"split front":            {"gateway,manage", []string{"db", "cache", "bus", "crypto", "manage", "gateway"}},
		"split back":             {"execute,logsvr,gse", []string{"db", "bus", "blob", "crypto", "logsvr", "gse", "execute"}},
		"gse alone":              {"gse", []string{"db", "blob", "bus", "gse"}},
		"a pending role":         {"crontab", []string{"crontab"}},
		"callers listed first":   {"gateway,execute,gse,manage,logsvr", []string{"db", "cache", "bus", "blob", "crypto", "manage", "logsvr", "gse", "execute", "gateway"}},
		"logsvr opens no db":     {"logsvr", []string{"bus", "logsvr"}},
		"manage with the engine": {"manage,execute", []string{"db", "crypto", "bus", "manage", "blob", "execute"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			order, err := table.Resolve(tt.roles)
			require.NoError(t, err)
			require.Equal(t, tt.want, order)
			pos := map[string]int{}
			for i, n := range order {
				pos[n] = i
			}
			for i, n := range order {
				for _, d := range table[n].Deps {
					require.Less(t, pos[d], i, "%s after its dependency %s", n, d)
				}
				for _, u := range table[n].Uses {
					if p, ok := pos[u]; ok {
						require.Less(t, p, i, "%s after %s, which it calls", n, u)
					}
				}
			}
		})
	}
}

// provisioned provisions roleList over a zero-config data dir, as Serve
// does, without starting anything; cleanup closes what was opened.
func provisioned(t *testing.T, roleList string, env ...string) *wiring {
	t.Helper()
	cfg, err := config.Load(config.Sources{Env: env, Flags: map[string]any{"data_dir": t.TempDir(), "roles": roleList}})
	require.NoError(t, err)
	log := slog.New(slog.DiscardHandler)
	w, mgr, err := newWiring(cfg, log, io.Discard, io.Discard)
	require.NoError(t, err)
	require.NoError(t, mgr.Provision(t.Context()))
	t.Cleanup(func() { mgr.StopAll(context.Background()) })
	return w
}

func TestProvisionBuildsEveryRoleIntoFields(t *testing.T) {
	w := provisioned(t, "all")
	require.NotNil(t, w.db)
	require.NotNil(t, w.bus)
	require.NotNil(t, w.blob)
	require.NotNil(t, w.cache)
	require.NotNil(t, w.box)
	require.Nil(t, w.locker, "no role depends on the lock: not opened")
	require.NotNil(t, w.manage)
	require.NotNil(t, w.logs)
	require.NotNil(t, w.gseTransport)
	require.NotNil(t, w.engine)
	require.Same(t, w.engine, w.toEngine.eng, "the gse role's events go to this process's engine")

	mgr, err := w.manageAPI()
	require.NoError(t, err)
	require.Same(t, w.manage, mgr, "co-located: the implementation")
	tr, err := w.transportAPI()
	require.NoError(t, err)
	require.Equal(t, w.gseTransport, tr)
	exec, err := w.executeAPI()
	require.NoError(t, err)
	require.Same(t, w.engine, exec)
}

func TestProvisionHandsOverBusClients(t *testing.T) {
	tests := map[string]struct {
		roles string
		env   []string
	}{
		"bus.force_remote": {"all", []string{"BKJOB_BUS__FORCE_REMOTE=true", "BKJOB_GSE__LOCAL_AGENT__ENABLED=false"}},
		"split front":      {"gateway", nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := provisioned(t, tt.roles, tt.env...)
			mgr, err := w.manageAPI()
			require.NoError(t, err)
			require.IsType(t, &manage.Client{}, mgr)
			exec, err := w.executeAPI()
			require.NoError(t, err)
			require.IsType(t, &execute.Client{}, exec)
			logs, err := w.logsAPI()
			require.NoError(t, err)
			require.IsType(t, &logsvr.Client{}, logs)
			tr, err := w.transportAPI()
			require.NoError(t, err)
			require.IsType(t, &gse.Client{}, tr)
		})
	}
}

func TestCleanupClosesThePlumbing(t *testing.T) {
	cfg, err := config.Load(config.Sources{Flags: map[string]any{"data_dir": t.TempDir(), "roles": "manage"}})
	require.NoError(t, err)
	w, mgr, err := newWiring(cfg, slog.New(slog.DiscardHandler), io.Discard, io.Discard)
	require.NoError(t, err)
	require.NoError(t, mgr.Provision(t.Context()))
	sqlDB, err := w.db.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.PingContext(t.Context()))
	mgr.StopAll(context.Background())
	require.ErrorContains(t, sqlDB.PingContext(t.Context()), "closed")
}

func TestCallerBeforeItsCalleeFailsClearly(t *testing.T) {
	w := &wiring{cfg: &config.Config{}, selected: map[string]bool{"manage": true, "logsvr": true, "execute": true, "gse": true}}
	_, err := w.manageAPI()
	require.EqualError(t, err, "manage runs in this process but is not provisioned yet: the role table needs a Uses edge to it")
	_, err = w.logsAPI()
	require.ErrorContains(t, err, "logsvr runs in this process")
	_, err = w.executeAPI()
	require.ErrorContains(t, err, "execute runs in this process")
	_, err = w.transportAPI()
	require.ErrorContains(t, err, "gse runs in this process")
	require.ErrorIs(t, w.toEngine.Sink(t.Context(), nil), errEngineNotUp)
}

// TestEveryDeclaredRouteIsMounted: each declared v3 and web method of every
// contract is served by the gateway's mounts, so a module whose routes are
// not registered here fails now rather than answering 1239003 in use.
func TestEveryDeclaredRouteIsMounted(t *testing.T) {
	w := provisioned(t, "all")
	mounts, err := w.gatewayMounts()
	require.NoError(t, err)
	e := echo.New()
	web, v3 := e.Group("/api/web"), e.Group("/api/v3")
	for _, m := range mounts {
		m(web, v3)
	}
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		routes[r.Method+" "+r.Path] = true
	}
	for _, d := range gateway.Declarations() {
		if d.V3 != "" {
			require.True(t, routes["POST /api/v3/"+d.V3], "%s (%s) is declared on v3 but not mounted", d.V3, d.Bus)
		}
		if d.Web != "" {
			require.True(t, routes["POST /api/web/"+d.Web], "%s (%s) is declared on the web but not mounted", d.Web, d.Bus)
		}
	}
}

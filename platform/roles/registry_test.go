package roles

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// graph is a small table shaped like bkjob's: hidden plumbing as Deps,
// business roles that call each other through Uses, a group.
func graph(rec *recorder, failing map[string]string) Table {
	mk := func(deps, uses []string) Role {
		return Role{Deps: deps, Uses: uses}
	}
	t := Table{
		"db":      {Hidden: true},
		"bus":     {Hidden: true},
		"cache":   {Hidden: true},
		"manage":  mk([]string{"db", "bus"}, nil),
		"logsvr":  mk([]string{"bus"}, nil),
		"gse":     mk([]string{"db", "bus"}, []string{"manage"}),
		"execute": mk([]string{"db", "bus"}, []string{"manage", "logsvr", "gse"}),
		"gateway": mk([]string{"db", "cache", "bus"}, []string{"execute", "manage", "logsvr"}),
		"crontab": {Pending: true},
		"all":     {Group: true, Deps: []string{"manage", "logsvr", "gse", "execute", "crontab", "gateway"}},
	}
	for name, r := range t {
		if r.Group {
			continue
		}
		r.Provision = rec.provision(name, failing)
		t[name] = r
	}
	return t
}

func TestResolveOrdersDepsAndSelectedUsesFirst(t *testing.T) {
	tab := graph(&recorder{}, nil)
	tests := map[string]struct {
		list string
		want []string
	}{
		"all": {"all", []string{"db", "bus", "manage", "logsvr", "gse", "execute", "crontab", "cache", "gateway"}},
		"a used role listed later still comes first": {"gateway,execute,manage",
			[]string{"db", "cache", "bus", "manage", "execute", "gateway"}},
		"uses never pull a role in":    {"execute", []string{"db", "bus", "execute"}},
		"split front":                  {"gateway, manage", []string{"db", "cache", "bus", "manage", "gateway"}},
		"split back":                   {"execute,logsvr,gse", []string{"db", "bus", "logsvr", "gse", "execute"}},
		"a pending role opens nothing": {"crontab", []string{"crontab"}},
		"a name twice":                 {"gse,gse", []string{"db", "bus", "gse"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			order, err := tab.Resolve(tt.list)
			require.NoError(t, err)
			require.Equal(t, tt.want, order)
			requireEdgesRespected(t, tab, order)
		})
	}
}

// requireEdgesRespected checks that every role in order comes after its
// Deps and after the roles it Uses that are in order too.
func requireEdgesRespected(t *testing.T, tab Table, order []string) {
	t.Helper()
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	for i, n := range order {
		for _, d := range tab[n].Deps {
			p, ok := pos[d]
			require.True(t, ok, "%s needs %s, which is not in %v", n, d, order)
			require.Less(t, p, i, "%s before its dependency %s in %v", n, d, order)
		}
		for _, u := range tab[n].Uses {
			if p, ok := pos[u]; ok {
				require.Less(t, p, i, "%s before %s, which it uses, in %v", n, u, order)
			}
		}
	}
}

func TestResolveRejectsUnknownHiddenAndEmpty(t *testing.T) {
	tab := graph(&recorder{}, nil)
	require.Equal(t, []string{"all", "crontab", "execute", "gateway", "gse", "logsvr", "manage"}, tab.Names(),
		"hidden plumbing is not listed")
	for _, list := range []string{"gateway,bogus", "db", "manage,bus", "ALL", "all;gse"} {
		_, err := tab.Resolve(list)
		require.ErrorIs(t, err, ErrUnknownRole, list)
		require.ErrorContains(t, err, "known roles: all, crontab, execute, gateway, gse, logsvr, manage", list)
	}
	_, err := tab.Resolve("gateway,bogus")
	require.ErrorContains(t, err, `unknown role "bogus"`)
	for _, list := range []string{"", " , ", ","} {
		_, err := tab.Resolve(list)
		require.ErrorIs(t, err, ErrUnknownRole, "%q", list)
		require.ErrorContains(t, err, "no role selected")
	}
}

func TestValidateRejectsBadGraphs(t *testing.T) {
	tests := map[string]struct {
		edit func(Table)
		want string
	}{
		"cycle through deps": {func(t Table) {
			r := t["db"]
			r.Deps = []string{"manage"}
			t["db"] = r
		}, "role cycle: manage -> db -> manage"},
		"cycle through uses": {func(t Table) {
			r := t["manage"]
			r.Uses = []string{"gateway"}
			t["manage"] = r
		}, "role cycle: manage -> gateway -> execute -> manage"},
		"unknown dependency": {func(t Table) {
			r := t["gse"]
			r.Deps = append(r.Deps, "blob")
			t["gse"] = r
		}, `role gse depends on "blob", which is not in the table`},
		"unknown use": {func(t Table) {
			r := t["gse"]
			r.Uses = []string{"agent"}
			t["gse"] = r
		}, `role gse uses "agent", which is not in the table`},
		"no provision": {func(t Table) {
			r := t["logsvr"]
			r.Provision = nil
			t["logsvr"] = r
		}, "role logsvr has no Provision"},
		"hidden group": {func(t Table) {
			t["plumbing"] = Role{Group: true, Hidden: true, Deps: []string{"db"}}
		}, "group plumbing is hidden"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tab := graph(&recorder{}, nil)
			require.NoError(t, tab.Validate())
			tt.edit(tab)
			err := tab.Validate()
			require.ErrorIs(t, err, ErrBadGraph)
			require.ErrorContains(t, err, tt.want)
			_, err = NewManager(tab, "crontab", discard())
			require.ErrorIs(t, err, ErrBadGraph, "a bad graph fails at boot, whatever is selected")
		})
	}
}

func TestResolveCycleNamesThePath(t *testing.T) {
	tab := graph(&recorder{}, nil)
	r := tab["manage"]
	r.Deps = append(r.Deps, "gse")
	tab["manage"] = r
	_, err := tab.Resolve("manage")
	require.ErrorIs(t, err, ErrBadGraph)
	require.ErrorContains(t, err, "role cycle: manage -> gse -> manage")
}

var errBoom = errors.New("boom")

func TestProvisionReturningNothingFails(t *testing.T) {
	tab := graph(&recorder{}, nil)
	r := tab["logsvr"]
	r.Provision = func(context.Context) (Service, error) { return nil, nil }
	tab["logsvr"] = r
	m, err := NewManager(tab, "logsvr", discard())
	require.NoError(t, err)
	require.ErrorContains(t, m.Provision(context.Background()), "provision role logsvr: provision returned no service")
}

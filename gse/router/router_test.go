package router_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/router"
	"github.com/bkjob/bkjob/platform/errs"
)

// fake records what it is asked and answers AgentStatus with alive hosts.
type fake struct {
	mu       sync.Mutex
	scripts  []gse.ScriptTask
	files    []gse.FileTask
	stops    [][]int64
	startErr error
	stopErr  error
	// held answers Lost: hosts not in it are lost (lost_test.go).
	held      map[int64]bool
	lostAsked []int64
}

func (f *fake) StartScript(_ context.Context, task gse.ScriptTask) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return f.startErr
	}
	f.scripts = append(f.scripts, task)
	return nil
}

func (f *fake) StartFile(_ context.Context, task gse.FileTask) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return f.startErr
	}
	f.files = append(f.files, task)
	return nil
}

func (f *fake) Stop(_ context.Context, _ string, hostIDs []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, hostIDs)
	return f.stopErr
}

func (f *fake) AgentStatus(_ context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	out := make([]gse.AgentState, len(hosts))
	for i, h := range hosts {
		out[i] = gse.AgentState{HostID: h.ID, AgentID: h.AgentID, Alive: true, Seen: time.Unix(1, 0)}
	}
	return out, nil
}

func ids(hosts []gse.Host) []int64 {
	out := make([]int64, len(hosts))
	for i, h := range hosts {
		out[i] = h.ID
	}
	return out
}

func mixedHosts() []gse.Host {
	sshEP := &gse.SSHEndpoint{Addr: "127.0.0.2:22", User: "root", CredentialID: "1"}
	return []gse.Host{
		{ID: 1, IP: "10.0.0.1", AgentID: "a1"},
		{ID: 2, IP: "10.0.0.2", SSH: sshEP},
		{ID: 3, IP: "10.0.0.3", AgentID: "a3"},
		{ID: 4, IP: "10.0.0.4", SSH: sshEP},
	}
}

func TestStartScriptSplitsHosts(t *testing.T) {
	agent, ssh := &fake{}, &fake{}
	r := router.New(agent, ssh)
	task := gse.ScriptTask{TaskID: "t1", Hosts: mixedHosts(), Content: "echo"}
	require.NoError(t, r.StartScript(context.Background(), task))
	require.Len(t, agent.scripts, 1)
	require.Len(t, ssh.scripts, 1)
	require.Equal(t, []int64{1, 3}, ids(agent.scripts[0].Hosts))
	require.Equal(t, []int64{2, 4}, ids(ssh.scripts[0].Hosts))
	require.Equal(t, "t1", ssh.scripts[0].TaskID)
	require.Equal(t, "echo", ssh.scripts[0].Content)
}

func TestStartSkipsTransportsWithoutHosts(t *testing.T) {
	agent, ssh := &fake{}, &fake{}
	r := router.New(agent, ssh)
	require.NoError(t, r.StartScript(context.Background(), gse.ScriptTask{TaskID: "t", Hosts: mixedHosts()[:1]}))
	require.Len(t, agent.scripts, 1)
	require.Empty(t, ssh.scripts)
}

func TestStartIsAllOrNothing(t *testing.T) {
	boom := errors.New("ssh refused")
	agent, ssh := &fake{}, &fake{startErr: boom}
	r := router.New(agent, ssh)
	err := r.StartScript(context.Background(), gse.ScriptTask{TaskID: "t", Hosts: mixedHosts()})
	require.ErrorIs(t, err, boom)
	require.Equal(t, [][]int64{{1, 3}}, agent.stops, "the agent part that started is stopped again")
}

func TestMissingTransportRefused(t *testing.T) {
	tests := []struct {
		name   string
		router *router.Router
	}{
		{name: "no ssh", router: router.New(&fake{}, nil)},
		{name: "no agent", router: router.New(nil, &fake{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.router.StartScript(context.Background(), gse.ScriptTask{TaskID: "t", Hosts: mixedHosts()})
			require.ErrorIs(t, err, router.ErrNoTransport)
		})
	}
}

func TestStartFileSplitsTargets(t *testing.T) {
	agent, ssh := &fake{}, &fake{}
	r := router.New(agent, ssh)
	task := gse.FileTask{TaskID: "f", Targets: mixedHosts(), TargetDir: "/tmp", Sources: []gse.FileSource{{BlobKey: "k"}}}
	require.NoError(t, r.StartFile(context.Background(), task))
	require.Equal(t, []int64{1, 3}, ids(agent.files[0].Targets))
	require.Equal(t, []int64{2, 4}, ids(ssh.files[0].Targets))
	require.Equal(t, "k", ssh.files[0].Sources[0].BlobKey)
}

func TestStartFileCrossTransportSourceRefused(t *testing.T) {
	hosts := mixedHosts()
	tests := []struct {
		name    string
		source  gse.Host
		targets []gse.Host
		ok      bool
	}{
		{name: "ssh source to ssh targets", source: hosts[1], targets: []gse.Host{hosts[3]}, ok: true},
		{name: "agent source to agent targets", source: hosts[0], targets: []gse.Host{hosts[2]}, ok: true},
		{name: "ssh source to agent targets", source: hosts[1], targets: []gse.Host{hosts[2]}},
		{name: "agent source to ssh targets", source: hosts[0], targets: []gse.Host{hosts[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agent, ssh := &fake{}, &fake{}
			r := router.New(agent, ssh)
			src := tt.source
			err := r.StartFile(context.Background(), gse.FileTask{TaskID: "f", Targets: tt.targets, TargetDir: "/tmp",
				Sources: []gse.FileSource{{Host: &src, Path: "/etc/hosts"}}})
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errs.ErrNotImplemented)
			require.Equal(t, "sources[0].host", errs.From(err).Field)
			require.Empty(t, agent.files)
			require.Empty(t, ssh.files)
		})
	}
}

func TestStopFansOut(t *testing.T) {
	agent, ssh := &fake{stopErr: errs.ErrNotFound}, &fake{}
	r := router.New(agent, ssh)
	require.NoError(t, r.Stop(context.Background(), "t", []int64{2}), "not found is not an error")
	require.Equal(t, [][]int64{{2}}, agent.stops)
	require.Equal(t, [][]int64{{2}}, ssh.stops)

	boom := errors.New("hub down")
	r = router.New(&fake{stopErr: boom}, &fake{})
	require.ErrorIs(t, r.Stop(context.Background(), "t", nil), boom)
}

func TestAgentStatusMergesInOrder(t *testing.T) {
	hosts := append(mixedHosts(), gse.Host{ID: 9, AgentID: "lost"})
	r := router.New(&fake{}, &fake{})
	states, err := r.AgentStatus(context.Background(), hosts)
	require.NoError(t, err)
	require.Equal(t, []int64{1, 2, 3, 4, 9}, func() []int64 {
		out := make([]int64, len(states))
		for i, s := range states {
			out[i] = s.HostID
		}
		return out
	}())
	for _, s := range states {
		require.True(t, s.Alive)
	}

	r = router.New(&fake{}, nil)
	states, err = r.AgentStatus(context.Background(), hosts)
	require.NoError(t, err)
	require.False(t, states[1].Alive, "an SSH host without an SSH transport is not alive")
	require.True(t, states[0].Alive)
}

package executeimpl_test

import (
	"math"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/i18n"
)

// hostPage asks list_step_instance_hosts for the step of c.
func hostPage(env *executetest.Env, c execute.JobCreated, mod func(*execute.ListStepInstanceHostsRequest)) (execute.StepHostPage, error) {
	req := execute.ListStepInstanceHostsRequest{StepRef: execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}}
	if mod != nil {
		mod(&req)
	}
	return env.Engine.ListStepInstanceHosts(ctx, req)
}

func pageIPs(p execute.StepHostPage) []string {
	out := make([]string, 0, len(p.Data))
	for _, h := range p.Data {
		out = append(out, h.IP)
	}
	return out
}

// testListStepHosts: list_step_instance_hosts pages through one result
// group in a stable, numeric address order without overlap, filters as
// get_step_instance_status does, and refuses bad paging and another
// business's task by naming the field.
func testListStepHosts(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	env.Manage.AddScope(manage.Scope{Type: "biz", ID: "2", BizID: 2, Name: "Other"})
	hosts := executetest.AddHosts(t, env.DB, 1, 25)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID%5 == 0 {
			return executetest.Outcome{Output: []string{"job_fail:[red] needle\n"}, Tag: "red", ExitCode: 1}
		}
		return executetest.Outcome{Output: []string{"fine\n"}}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)

	ok, eight, empty := 9, 8, ""
	var paged []string
	for start := 0; start < 24; start += 8 {
		p, err := hostPage(env, c, func(r *execute.ListStepInstanceHostsRequest) {
			r.Status, r.Tag, r.Start, r.Length = &ok, &empty, start, &eight
		})
		require.NoError(t, err)
		require.Equal(t, 20, p.Total)
		require.Equal(t, start, p.Start)
		paged = append(paged, pageIPs(p)...)
	}
	require.Len(t, paged, 20, "three pages hold the group's 20 hosts once each")
	for i := 1; i < len(paged); i++ {
		require.Equal(t, -1, netip.MustParseAddr(paged[i-1]).Compare(netip.MustParseAddr(paged[i])),
			"numeric address order, no repeats: %v", paged)
	}
	// The group's hosts are listed in the same order by get_step_instance_status.
	st := stepStatus(t, env, c, nil)
	var grouped []string
	for _, h := range st.StepResultGroupList[0].HostResultList {
		grouped = append(grouped, h.IP)
	}
	require.Equal(t, grouped, paged)

	fail, red := 104, "red"
	cases := []struct {
		name  string
		mod   func(*execute.ListStepInstanceHostsRequest)
		total int
		check func(execute.HostResult) bool
	}{
		{"every host, successes first", nil, 25, nil},
		{"failed group", func(r *execute.ListStepInstanceHostsRequest) { r.Status, r.Tag = &fail, &red }, 5,
			func(h execute.HostResult) bool { return h.Status == 104 && h.Tag == "red" }},
		{"status without tag: every tag", func(r *execute.ListStepInstanceHostsRequest) { r.Status = &fail }, 5, nil},
		{"untagged group of failures is empty", func(r *execute.ListStepInstanceHostsRequest) { r.Status, r.Tag = &fail, &empty }, 0, nil},
		{"log keyword", func(r *execute.ListStepInstanceHostsRequest) { r.Keyword = "needle" }, 5,
			func(h execute.HostResult) bool { return h.Status == 104 }},
		{"IP search", func(r *execute.ListStepInstanceHostsRequest) { r.SearchIP = "127.0.0.1" }, 10,
			func(h execute.HostResult) bool { return strings.HasPrefix(h.IP, "127.0.0.1") }},
		{"past the end", func(r *execute.ListStepInstanceHostsRequest) { r.Start = 100 }, 25, nil},
		// start+length once wrapped negative here and the slice panicked.
		{"start at the largest int", func(r *execute.ListStepInstanceHostsRequest) { r.Start = math.MaxInt }, 25, nil},
	}
	for _, tc := range cases {
		p, err := hostPage(env, c, tc.mod)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.total, p.Total, tc.name)
		require.NotNil(t, p.Data, tc.name)
		require.LessOrEqual(t, len(p.Data), execute.DefaultStepHostPage, tc.name)
		for _, h := range p.Data {
			require.True(t, tc.check == nil || tc.check(h), "%s: %+v", tc.name, h)
		}
	}
	all, err := hostPage(env, c, nil)
	require.NoError(t, err)
	require.Equal(t, 9, all.Data[0].Status, "successes first, as the groups")
	require.Equal(t, 104, all.Data[24].Status)
	cat, err := i18n.Load()
	require.NoError(t, err)
	named := all.Localized(cat.In(i18n.English)).(execute.StepHostPage)
	require.Equal(t, "Succeeded", named.Data[0].StatusDesc, "the door names each host's status")

	zero, big, neg := 0, execute.MaxStepHostPage+1, -1
	for _, bad := range []struct {
		field string
		mod   func(*execute.ListStepInstanceHostsRequest)
	}{
		{"length", func(r *execute.ListStepInstanceHostsRequest) { r.Length = &zero }},
		{"length", func(r *execute.ListStepInstanceHostsRequest) { r.Length = &big }},
		{"start", func(r *execute.ListStepInstanceHostsRequest) { r.Start = -1 }},
		{"execute_count", func(r *execute.ListStepInstanceHostsRequest) { r.ExecuteCount = &big }},
		{"batch", func(r *execute.ListStepInstanceHostsRequest) { r.Batch = &neg }},
	} {
		_, err := hostPage(env, c, bad.mod)
		require.Error(t, err, bad.field)
		require.Equal(t, bad.field, errs.From(err).Field, "%v", err)
	}
	_, err = hostPage(env, c, func(r *execute.ListStepInstanceHostsRequest) {
		r.ScopeRef = execute.ScopeRef{ScopeType: "biz", ScopeID: "2"}
	})
	require.ErrorIs(t, err, execute.ErrJobNotFound, "another business's task is not there")
	_, err = hostPage(env, c, func(r *execute.ListStepInstanceHostsRequest) { r.StepInstanceID += 1000 })
	require.ErrorIs(t, err, execute.ErrStepNotFound)
}

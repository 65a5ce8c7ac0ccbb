package executeimpl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// testJobInstanceList: every get_job_instance_list filter, paging, the
// order (newest first) and the scope.
func testJobInstanceList(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	env.Manage.AddScope(manage.Scope{Type: "biz", ID: "2", BizID: 2, Name: "Other"})
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{ExitCode: boolExit(r.Script != nil && r.Script.Content == "exit 1")}
	}

	a := scriptReq(hosts[0])
	a.TaskName = "alpha deploy 100%_done!"
	ja, err := env.Engine.FastExecuteScript(ctx, a)
	require.NoError(t, err)
	bReq := scriptReq(hosts[1])
	bReq.TaskName, bReq.ScriptContent = "beta", b64("exit 1")
	bReq.Caller = execute.Caller{Username: "bob", StartupMode: execute.StartupWeb}
	jb, err := env.Engine.FastExecuteScript(ctx, bReq)
	require.NoError(t, err)
	jc, err := env.Engine.PushConfigFile(ctx, execute.PushConfigFileRequest{ScopeRef: scope, Caller: execute.Caller{Username: "admin"},
		TaskName: "gamma", AccountAlias: "root", FileTargetPath: "/tmp/cfg",
		FileList: []execute.ConfigFile{{FileName: "a.conf", Content: b64("x")}}, TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	require.NoError(t, err)
	waitJob(t, env, ja.JobInstanceID, execute.StatusSuccess)
	waitJob(t, env, jb.JobInstanceID, execute.StatusFail)
	waitJob(t, env, jc.JobInstanceID, execute.StatusSuccess)
	for i, id := range []int64{ja.JobInstanceID, jb.JobInstanceID, jc.JobInstanceID} {
		require.NoError(t, env.DB.Exec("UPDATE task_instance SET create_time = ? WHERE id = ?", 1000*(i+1), id).Error)
	}

	A, B, C := ja.JobInstanceID, jb.JobInstanceID, jc.JobInstanceID
	ptr := func(v int) *int { return &v }
	all := func(r *execute.GetJobInstanceListRequest) { r.CreateTimeStart, r.CreateTimeEnd = 1, 10000 }
	cases := []struct {
		name  string
		mod   func(*execute.GetJobInstanceListRequest)
		want  []int64
		total int
	}{
		{"every job, newest first", all, []int64{C, B, A}, 3},
		{"operator", func(r *execute.GetJobInstanceListRequest) { all(r); r.Operator = "bob" }, []int64{B}, 1},
		{"name substring", func(r *execute.GetJobInstanceListRequest) { all(r); r.Name = "deploy" }, []int64{A}, 1},
		{"name wildcard is literal", func(r *execute.GetJobInstanceListRequest) { all(r); r.Name = "a%" }, nil, 0},
		{"name with wildcards", func(r *execute.GetJobInstanceListRequest) { all(r); r.Name = "0%_done!" }, []int64{A}, 1},
		{"launch mode", func(r *execute.GetJobInstanceListRequest) { all(r); r.LaunchMode = ptr(execute.StartupWeb) }, []int64{B}, 1},
		{"type", func(r *execute.GetJobInstanceListRequest) { all(r); r.Type = ptr(execute.TaskTypeFastFile) }, []int64{C}, 1},
		{"status", func(r *execute.GetJobInstanceListRequest) { all(r); r.Status = ptr(int(execute.StatusSuccess)) }, []int64{C, A}, 2},
		{"ip", func(r *execute.GetJobInstanceListRequest) { all(r); r.IP = executetest.HostIP(2) }, []int64{C, B}, 2},
		{"time window", func(r *execute.GetJobInstanceListRequest) { r.CreateTimeStart, r.CreateTimeEnd = 1500, 2500 }, []int64{B}, 1},
		{"page", func(r *execute.GetJobInstanceListRequest) { all(r); r.Start, r.Length = 1, ptr(1) }, []int64{B}, 3},
		{"job id ignores the rest", func(r *execute.GetJobInstanceListRequest) { r.JobInstanceID, r.Operator = A, "nobody" }, []int64{A}, 1},
		{"other scope", func(r *execute.GetJobInstanceListRequest) {
			all(r)
			r.ScopeRef = execute.ScopeRef{ScopeType: "biz", ScopeID: "2"}
		}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := execute.GetJobInstanceListRequest{ScopeRef: scope}
			tc.mod(&req)
			page, err := env.Engine.GetJobInstanceList(ctx, req)
			require.NoError(t, err)
			var got []int64
			for _, j := range page.Data {
				got = append(got, j.ID)
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.total, page.Total)
		})
	}
	page, err := env.Engine.GetJobInstanceList(ctx, execute.GetJobInstanceListRequest{ScopeRef: scope, JobInstanceID: B})
	require.NoError(t, err)
	row := page.Data[0]
	require.Equal(t, "bob", row.Operator)
	require.Equal(t, execute.StartupWeb, row.LaunchMode)
	require.Equal(t, execute.TaskTypeFastScript, row.Type)
	require.Equal(t, execute.StatusFail, row.Status)
	require.Equal(t, execute.DefaultPageLength, page.Length)

	for _, bad := range []struct {
		field string
		mod   func(*execute.GetJobInstanceListRequest)
	}{
		{"create_time_start", func(r *execute.GetJobInstanceListRequest) { r.CreateTimeEnd = 5 }},
		{"create_time_end", func(r *execute.GetJobInstanceListRequest) { r.CreateTimeStart = 5 }},
		{"create_time_end", func(r *execute.GetJobInstanceListRequest) { r.CreateTimeStart, r.CreateTimeEnd = 5, 4 }},
		{"start", func(r *execute.GetJobInstanceListRequest) { all(r); r.Start = -1 }},
		{"length", func(r *execute.GetJobInstanceListRequest) { all(r); r.Length = ptr(0) }},
		{"length", func(r *execute.GetJobInstanceListRequest) { all(r); r.Length = ptr(execute.MaxPageLength + 1) }},
	} {
		req := execute.GetJobInstanceListRequest{ScopeRef: scope}
		bad.mod(&req)
		_, err := env.Engine.GetJobInstanceList(ctx, req)
		require.ErrorIs(t, err, errs.ErrInvalid)
		require.Equal(t, bad.field, errs.From(err).Field, "%+v", req)
	}
}

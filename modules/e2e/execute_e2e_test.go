package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// engineSetup is one server and three agents (127.0.0.21–23) shared by the
// engine cases.
type engineSetup struct {
	c  *Cluster
	a1 *Agent
	a2 *Agent
	a3 *Agent
}

// TestEngine proves issue 4's engine and OpenAPI v3 behaviours against real
// `bkjob agent` processes. Success, non-zero exit (104), timeout (102) and
// terminate (403, STOP_SUCCESS) are in TestAgentTransport.
func TestEngine(t *testing.T) {
	s := &engineSetup{c: StartCluster(t, "BKJOB_API__CALLBACK_ALLOW_PRIVATE=true")} // the callback receiver is on loopback
	s.a1 = StartAgent(t, s.c, "127.0.0.21", AgentOptions{})
	s.a2 = StartAgent(t, s.c, "127.0.0.22", AgentOptions{})
	s.a3 = StartAgent(t, s.c, "127.0.0.23", AgentOptions{})

	t.Run("RetryFailedAfterFix", s.retryFailed)
	t.Run("IgnoreError", s.ignoreError)
	t.Run("RollingThreeBatchesPauseOnFailure", s.rolling)
	t.Run("ResultGroupsByTag", s.resultGroups)
	t.Run("PushConfigFile", s.pushConfig)
	t.Run("FileLogFields", s.fileLogFields)
	t.Run("Callback", s.callback)
	t.Run("SensitiveParamHidden", s.sensitiveParam)
	t.Run("BadInputCreatesNothing", s.badInput)
	t.Run("StatusShape", s.statusShape)
}

// counter is a shell line that sets $n to 1, 2, 3… across every run of
// every host (they share this machine's filesystem), under a lock.
func counter(dir string) string {
	return fmt.Sprintf("n=$(flock %[1]s/lock sh -c 'n=$(( $(cat %[1]s/count 2>/dev/null || echo 0) + 1 )); echo $n > %[1]s/count; echo $n')\n", dir)
}

func readCount(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "count"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func (s *engineSetup) all() []target { return []target{s.a1, s.a2, s.a3} }

func (s *engineSetup) retryFailed(t *testing.T) {
	dir := t.TempDir()
	script := counter(dir) + fmt.Sprintf(
		"if [ \"$n\" -ne 1 ] && [ ! -e %s/fixed ]; then echo \"run $n broken\"; exit 1; fi\necho \"run $n ok\"\n", dir)
	job := s.c.runScript(t, script, s.all(), nil)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runFail, st.JobInstance.Status)
	var okIP string
	failed := 0
	for _, h := range st.Steps[0].Hosts {
		switch h.Status {
		case hostSuccess:
			okIP = h.IP
		case hostNonZeroExit:
			failed++
		}
	}
	require.NotEmpty(t, okIP, "the first run succeeds: %+v", st)
	require.Equal(t, 2, failed, "%+v", st)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o600))
	s.c.v3(t, "operate_step_instance", scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "operation_code": 2,
	}))
	st = s.c.waitFor(t, job.JobInstanceID, "retried and finished", time.Minute, func(st jobStatus) bool {
		return st.Finished && st.Steps[0].ExecuteCount == 1
	})
	require.Equal(t, runSuccess, st.JobInstance.Status)
	for _, h := range st.Steps[0].Hosts {
		require.Equal(t, hostSuccess, h.Status, h.IP)
	}
	require.Equal(t, "5", readCount(t, dir), "only the two failed hosts ran again")
	require.Equal(t, "run 1 ok\n", s.c.hostLog(t, job, okIP), "a kept host keeps its log")

	// The first execute count stays readable.
	groups := s.c.stepGroups(t, job, map[string]any{"execute_count": 0})
	require.Equal(t, map[string]int{"9/": 1, "104/": 2}, groups.sizes())
}

func (s *engineSetup) ignoreError(t *testing.T) {
	job := s.c.runScript(t, "echo broken\nexit 3\n", []target{s.a1}, nil)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runFail, st.JobInstance.Status)
	require.Equal(t, runFail, st.Steps[0].Status)

	s.c.v3(t, "operate_step_instance", scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "operation_code": 3,
	}))
	st = s.c.waitFor(t, job.JobInstanceID, "ignored and finished", time.Minute, func(st jobStatus) bool {
		return st.Finished && st.Steps[0].Status == runIgnoreError
	})
	require.Equal(t, runSuccess, st.JobInstance.Status, "the job resumes and ends")
	require.Equal(t, hostNonZeroExit, st.host(t, s.a1.IP).Status, "the host result is kept")
	require.Equal(t, 3, st.host(t, s.a1.IP).ExitCode)
}

func (s *engineSetup) rolling(t *testing.T) {
	dir := t.TempDir()
	script := counter(dir) + fmt.Sprintf(
		"if [ \"$n\" -eq 2 ] && [ ! -e %s/fixed ]; then echo \"run $n fails\"; exit 1; fi\necho \"run $n ok\"\n", dir)
	job := s.c.runScript(t, script, s.all(), map[string]any{"rolling_config": map[string]any{"expression": "1", "mode": 1}})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runFail, st.JobInstance.Status, "pause on failure stops at the failed batch")

	step := s.c.stepStatus(t, job, nil)
	require.Equal(t, 3, step.TotalBatch)
	require.Equal(t, 2, step.CurrentBatch)
	require.Equal(t, "2", readCount(t, dir), "the third batch did not run")
	require.Equal(t, map[string]int{"9/": 1}, s.c.stepGroups(t, job, map[string]any{"batch": 1}).sizes())
	b2 := s.c.stepGroups(t, job, map[string]any{"batch": 2})
	require.Equal(t, map[string]int{"104/": 1}, b2.sizes())
	require.Equal(t, s.a2.IP, b2[0].Hosts[0].IP, "batches follow the target order")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o600))
	s.c.v3(t, "operate_step_instance", scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "operation_code": 2,
	}))
	st = s.c.waitFor(t, job.JobInstanceID, "retried and finished", time.Minute, func(st jobStatus) bool {
		return st.Finished && st.Steps[0].ExecuteCount == 1
	})
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Equal(t, "4", readCount(t, dir), "batch 2 again, then batch 3")
	require.Equal(t, map[string]int{"9/": 1}, s.c.stepGroups(t, job, map[string]any{"batch": 3}).sizes())
	require.Equal(t, "run 4 ok\n", s.c.hostLog(t, job, s.a3.IP))
}

func (s *engineSetup) resultGroups(t *testing.T) {
	dir := t.TempDir()
	script := counter(dir) + `case $n in
1|2) echo "job_success:[alpha]" ;;
*) echo "job_fail:[beta]"; exit 1 ;;
esac
`
	job := s.c.runScript(t, script, s.all(), nil)
	s.c.waitJob(t, job.JobInstanceID, time.Minute)

	groups := s.c.stepGroups(t, job, nil)
	require.Equal(t, map[string]int{"9/alpha": 2, "104/beta": 1}, groups.sizes())
	require.Equal(t, "alpha", groups[0].Tag, "successes first")
	require.Len(t, groups[0].Hosts, 2)
	require.Len(t, groups[1].Hosts, 1)

	// Filtering by tag keeps the other groups' counts only.
	filtered := s.c.stepGroups(t, job, map[string]any{"tag": "beta"})
	require.Equal(t, map[string]int{"9/alpha": 2, "104/beta": 1}, filtered.sizes())
	for _, g := range filtered {
		if g.Tag == "beta" {
			require.Len(t, g.Hosts, 1)
		} else {
			require.Empty(t, g.Hosts)
		}
	}
	// Every host's status carries its tag too.
	st := s.c.jobStatus(t, job.JobInstanceID)
	tags := map[string]int{}
	for _, h := range st.Steps[0].Hosts {
		tags[h.Tag]++
	}
	require.Equal(t, map[string]int{"alpha": 2, "beta": 1}, tags)
}

func (s *engineSetup) pushConfig(t *testing.T) {
	dir := t.TempDir()
	content := "listen = 127.0.0.1:9000\nname = \"e2e\"\n"
	var job created
	s.c.v3Into(t, "push_config_file", scope(map[string]any{
		"account_alias":    "root",
		"file_target_path": dir + "/conf/",
		"file_list":        []map[string]any{{"file_name": "app.conf", "content": b64(content)}},
		"target_server":    map[string]any{"ip_list": ipList(s.a1)},
	}), &job)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Equal(t, hostSuccess, st.host(t, s.a1.IP).Status)

	cat := s.c.runScript(t, "cat "+dir+"/conf/app.conf", []target{s.a1}, nil)
	require.Equal(t, runSuccess, s.c.waitJob(t, cat.JobInstanceID, time.Minute).JobInstance.Status)
	require.Equal(t, content, s.c.hostLog(t, cat, s.a1.IP))
}

func (s *engineSetup) callback(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)

	job := s.c.runScript(t, "echo hi", []target{s.a1, s.a2}, map[string]any{"callback_url": hook.URL + "/done"})
	s.c.waitJob(t, job.JobInstanceID, time.Minute)
	var got []byte
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) > 0 {
			got = bodies[0]
		}
		return got != nil
	}, time.Minute, 50*time.Millisecond, "no callback")

	var cb struct {
		JobInstanceID int64 `json:"job_instance_id"`
		Status        int   `json:"status"`
		Steps         []struct {
			StepInstanceID int64 `json:"step_instance_id"`
			Status         int   `json:"status"`
		} `json:"step_instance_list"`
	}
	require.NoError(t, json.Unmarshal(got, &cb), "callback body %s", got)
	require.Equal(t, job.JobInstanceID, cb.JobInstanceID)
	require.Equal(t, runSuccess, cb.Status)
	require.Len(t, cb.Steps, 1)
	require.Equal(t, job.StepInstanceID, cb.Steps[0].StepInstanceID)
	require.Equal(t, runSuccess, cb.Steps[0].Status)
}

func (s *engineSetup) sensitiveParam(t *testing.T) {
	secret := "s3cr3t-" + randHex(t, 6)
	sum := sha256.Sum256([]byte(secret))
	check := fmt.Sprintf("test \"$(printf %%s \"$1\" | sha256sum | cut -c1-64)\" = %x && echo param-ok", sum)
	job := s.c.runScript(t, check, []target{s.a1}, map[string]any{
		"script_param": b64(secret), "is_param_sensitive": 1,
	})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "the script gets the parameter")
	require.Equal(t, "param-ok\n", s.c.hostLog(t, job, s.a1.IP))

	detail := s.c.v3(t, "get_step_instance_detail", scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID,
	}))
	require.NotContains(t, string(detail), secret)
	require.NotContains(t, string(detail), b64(secret))
	require.NotContains(t, s.c.Output.String(), secret, "never logged by the server")
	require.NotContains(t, s.a1.Output.String(), secret, "never logged by the agent")
}

func (s *engineSetup) badInput(t *testing.T) {
	ok := func(extra map[string]any) map[string]any { return scriptBody("echo hi", []target{s.a1}, extra) }
	noTarget := ok(nil)
	delete(noTarget, "target_server")
	transfer := func(extra map[string]any) map[string]any {
		body := scope(map[string]any{
			"account_alias":    "root",
			"file_target_path": "/tmp/bkjob-e2e-never/",
			"file_source_list": []map[string]any{{
				"file_list": []string{"/etc/hostname"},
				"account":   map[string]any{"alias": "root"},
				"server":    map[string]any{"ip_list": ipList(s.a1)},
			}},
			"target_server": map[string]any{"ip_list": ipList(s.a2)},
		})
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	push := func(fileName, content string) map[string]any {
		return scope(map[string]any{
			"account_alias":    "root",
			"file_target_path": "/tmp/bkjob-e2e-never/",
			"file_list":        []map[string]any{{"file_name": fileName, "content": content}},
			"target_server":    map[string]any{"ip_list": ipList(s.a1)},
		})
	}
	before := s.c.jobCount(t)
	for _, tc := range []struct {
		name     string
		endpoint string
		body     map[string]any
		field    string
	}{
		{"missing target", "fast_execute_script", noTarget, "target_server"},
		{"bad base64 script", "fast_execute_script", ok(map[string]any{"script_content": "!!not base64!!"}), "script_content"},
		{"bad base64 config", "push_config_file", push("a.conf", "%%%"), "content"},
		{"unknown scope", "fast_execute_script", ok(map[string]any{"bk_scope_id": "424242"}), "bk_scope_id"},
		{"timeout zero", "fast_execute_script", ok(map[string]any{"timeout": 0}), "timeout"},
		{"timeout above three days", "fast_execute_script", ok(map[string]any{"timeout": 259201}), "timeout"},
		{"transfer timeout", "fast_transfer_file", transfer(map[string]any{"timeout": 259201}), "timeout"},
		{"unknown account", "fast_execute_script", ok(map[string]any{"account_alias": "no-such-account"}), "account"},
		{"unknown transfer account", "fast_transfer_file", transfer(map[string]any{"account_alias": "no-such-account"}), "account"},
		{"oversize param", "fast_execute_script", ok(map[string]any{"script_param": b64(strings.Repeat("p", 65537))}), "script_param"},
		{"oversize task name", "fast_execute_script", ok(map[string]any{"task_name": strings.Repeat("n", 513)}), "task_name"},
		{"relative target path", "fast_transfer_file", transfer(map[string]any{"file_target_path": "tmp/x/"}), "file_target_path"},
		{"config file name escapes", "push_config_file", push("../escape.conf", b64("x")), "file_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := s.c.call(t, tc.endpoint, tc.body)
			require.False(t, env.Result, "accepted: %s", env.Data)
			require.NotZero(t, env.Code)
			require.Contains(t, env.Message, tc.field, "the message names the field")
		})
	}
	require.Equal(t, before, s.c.jobCount(t), "no bad request created a job")
}

// resultGroup is one group of get_step_instance_status.
type resultGroup struct {
	ResultType int    `json:"result_type"`
	Tag        string `json:"tag"`
	HostSize   int    `json:"host_size"`
	Hosts      []struct {
		HostID int64  `json:"bk_host_id"`
		IP     string `json:"ip"`
		Status int    `json:"status"`
		Tag    string `json:"tag"`
	} `json:"host_result_list"`
}

type resultGroups []resultGroup

// sizes maps "<result type>/<tag>" to the group's host count.
func (g resultGroups) sizes() map[string]int {
	out := map[string]int{}
	for _, x := range g {
		out[fmt.Sprintf("%d/%s", x.ResultType, x.Tag)] = x.HostSize
	}
	return out
}

// stepState is get_step_instance_status's data.
type stepState struct {
	Status       int           `json:"status"`
	ExecuteCount int           `json:"execute_count"`
	CurrentBatch int           `json:"current_batch"`
	TotalBatch   int           `json:"total_batch"`
	Groups       []resultGroup `json:"step_result_group_list"`
}

func (c *Cluster) stepStatus(t *testing.T, job created, filter map[string]any) stepState {
	t.Helper()
	body := scope(map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID})
	for k, v := range filter {
		body[k] = v
	}
	var st stepState
	c.v3Into(t, "get_step_instance_status", body, &st)
	return st
}

func (c *Cluster) stepGroups(t *testing.T, job created, filter map[string]any) resultGroups {
	t.Helper()
	return c.stepStatus(t, job, filter).Groups
}

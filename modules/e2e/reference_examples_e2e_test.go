package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
)

// servedV3 lists the bk-job v3 endpoints bkjob serves: the modules'
// declarations with a v3 name, bkjob's own extensions left out.
func servedV3() []string {
	var names []string
	for _, m := range slices.Concat(execute.Declarations(), manage.Declarations()) {
		if m.V3 != "" && !m.Extension {
			names = append(names, m.V3)
		}
	}
	slices.Sort(names)
	return names
}

// exampleFixture is what exists on the test server for the examples to
// name: the built-in agent's host, the root account, finished, failed and
// running jobs, a file to copy, an online script version of business 1, a
// credential in business 2.
type exampleFixture struct {
	host, account                 int64
	script, file, failed, running created
	srcFile                       string
	biz2Credential                string
	secret                        string
	// created is the credential create_credential's example made; the
	// update_credential example changes it (bkjob refuses a second
	// credential of the same name).
	created string
	// rule is the dangerous rule create_dangerous_rule's example made.
	rule int64
	// version is the online version of a script of business 1, for
	// fast_execute_script's script_version_id.
	version int64
}

// exampleRow sends one endpoint's reference example with the ids of the
// test server and checks the answer.
type exampleRow struct {
	endpoint, what string
	// edits substitute ids that exist here (and, in the rows saying so,
	// leave out what bkjob refuses); everything else is sent verbatim.
	edits []exampleEdit
	// late are edits known only once an earlier row has run.
	late func(t *testing.T) []exampleEdit
	// esb: the example is the ESB doc's, credentials in its body: it is
	// sent on the ESB path with this app's credentials substituted.
	esb bool
	// refused is the code the example is refused with (field named in the
	// message) because bkjob does not support a part of it yet.
	refused int
	field   string
	// omitted: documented fields bkjob leaves out of this answer, and why.
	omitted map[string]string
	after   func(t *testing.T, data json.RawMessage)
}

// Reasons shared by several rows.
const (
	whyNoCMDB       = "bkjob refuses CMDB topology nodes and dynamic groups (1241011), so these lists are always empty"
	whyNoVariable   = "a server given by a host variable only comes with job plans (issue 11)"
	whyNoApproval   = "manual confirmation steps only come with job plans (issue 11)"
	whyUploadNoDest = "an upload log (mode 0) has no destination; batch_get_job_instance_ip_log's doc marks dest_ip and dest_path nullable"
	whyRunning      = "not known until the job or step ends (the docs mark it nullable); left out meanwhile, as bk-job does"
)

// TestReferenceExamples sends, for every v3 endpoint bkjob serves, bk-job's
// own request example (testdata/reference_v3.json) to the built binary with
// the ids of jobs, hosts, accounts and credentials that exist here, and
// checks that the answer's data has every documented field with its
// documented JSON type. Where bkjob refuses a part of the example it does
// not support yet, the row asserts that refusal, and a second row sends the
// example without that part.
func TestReferenceExamples(t *testing.T) {
	ref := loadReference(t)
	t.Run("EveryServedEndpointHasItsExample", func(t *testing.T) {
		require.ElementsMatch(t, servedV3(), mapKeys(ref), "testdata/reference_v3.json holds the served endpoints, no more, no less")
		for name, e := range ref {
			require.Equal(t, e.BackendPath, "/api/job/v3/"+backendService(name)+"/"+name, "backendService names the reference's service of %s", name)
		}
	})

	c := StartCluster(t, "BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.1")
	f := newExampleFixture(t, c)
	rows := exampleRows(t, f)
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.endpoint] = true
	}
	for _, name := range servedV3() {
		require.True(t, covered[name], "%s has no row", name)
	}

	for _, r := range rows {
		t.Run(r.endpoint+"/"+r.what, func(t *testing.T) {
			e, ok := ref[r.endpoint]
			require.True(t, ok, "%s is not in testdata/reference_v3.json", r.endpoint)
			req := e.example(t)
			applyEdits(t, req, r.edits)
			if r.late != nil {
				applyEdits(t, req, r.late(t))
			}
			target, h := c.URL+e.Path, c.api.Header.Clone()
			if r.esb {
				require.NotEmpty(t, e.ESBPath, r.endpoint)
				target, h = c.URL+e.ESBPath, http.Header{}
			}
			status, env, raw := c.send(t, e.Method, target, h, req)
			require.Equal(t, http.StatusOK, status, raw)
			if r.refused != 0 {
				require.False(t, env.Result, raw)
				require.Equal(t, r.refused, env.Code, raw)
				require.True(t, strings.HasPrefix(env.Message, r.field+": "), "message %q names %s", env.Message, r.field)
				return
			}
			require.True(t, env.Result, raw)
			var data any
			require.NoError(t, json.Unmarshal(env.Data, &data), raw)
			require.Empty(t, checkFields(data, e.ResponseFields, r.omitted), "%s answers unlike bk-job's docs (%s): %s", r.endpoint, e.Doc, raw)
			if r.after != nil {
				r.after(t, env.Data)
			}
		})
	}
}

// mapKeys lists m's keys.
func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// newExampleFixture makes what the examples name: jobs on the built-in
// agent (127.0.0.1, the address the log examples ask for), business 2 and
// a credential in it.
func newExampleFixture(t *testing.T, c *Cluster) *exampleFixture {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected" role=gse`) },
		60*time.Second, 50*time.Millisecond, "the built-in agent never connected")
	local := []target{fixedIP("127.0.0.1")}
	f := &exampleFixture{secret: c.appSecret(t)}

	// Named "test" and printing "aaa": get_job_instance_list's example
	// filters by name=test, get_step_instance_status's by keyword=aaa.
	f.script = c.runScript(t, "echo aaa", local, map[string]any{"task_name": "test"})
	st := c.waitJob(t, f.script.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	f.host = st.host(t, "127.0.0.1").HostID
	var detail struct {
		ScriptInfo struct {
			Account struct {
				ID int64 `json:"id"`
			} `json:"account"`
		} `json:"script_info"`
	}
	c.v3Into(t, "get_step_instance_detail", scope(map[string]any{"job_instance_id": f.script.JobInstanceID,
		"step_instance_id": f.script.StepInstanceID}), &detail)
	f.account = detail.ScriptInfo.Account.ID
	require.Positive(t, f.account, "the root account's id")

	f.srcFile = filepath.Join(t.TempDir(), "a.txt")
	require.NoError(t, os.WriteFile(f.srcFile, []byte("hello world!"), 0o644))
	c.v3Into(t, "fast_transfer_file", scope(map[string]any{
		"account_alias": "root", "file_target_path": t.TempDir() + "/",
		"file_source_list": []map[string]any{{"file_list": []string{f.srcFile}, "account": map[string]any{"alias": "root"},
			"server": map[string]any{"ip_list": ipList(local...)}}},
		"target_server": map[string]any{"ip_list": ipList(local...)},
	}), &f.file)
	require.Equal(t, runSuccess, c.waitJob(t, f.file.JobInstanceID, time.Minute).JobInstance.Status)

	f.failed = c.runScript(t, "exit 1", local, nil)
	require.Equal(t, runFail, c.waitJob(t, f.failed.JobInstanceID, time.Minute).JobInstance.Status)
	f.running = c.runScript(t, "sleep 300", local, nil)
	c.waitFor(t, f.running.JobInstanceID, "running", time.Minute, func(st jobStatus) bool { return st.JobInstance.Status == runRunning })

	var stored struct {
		ID       int64  `json:"id"`
		ScriptID string `json:"script_id"`
	}
	c.v3Into(t, "create_script", scope(map[string]any{"name": "echo", "script_language": 1, "content": "ZWNobyAkMQ==", "version": "1.0"}), &stored)
	c.v3(t, "publish_script_version", scope(map[string]any{"script_id": stored.ScriptID, "script_version_id": stored.ID}))
	f.version = stored.ID

	insertBusiness(t, c.DataDir, 2)
	var cred struct {
		ID string `json:"id"`
	}
	c.v3Into(t, "create_credential", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2", "name": "biz 2 key",
		"type": "PASSWORD", "credential_password": "x"}, &cred)
	f.biz2Credential = cred.ID
	return f
}

// exampleRows are the rows, in the declarations' order. Ids of the
// examples (101, 1000, "xxx", …) are replaced by the fixture's.
func exampleRows(t *testing.T, f *exampleFixture) []exampleRow {
	t.Helper()
	ids := func(job created) []exampleEdit {
		return []exampleEdit{setTo("job_instance_id", job.JobInstanceID), setTo("step_instance_id", job.StepInstanceID)}
	}
	hosts := []int64{f.host}
	dst := t.TempDir() + "/"
	script := []exampleEdit{setTo("account_id", f.account), setTo("target_server.host_id_list", hosts)}
	transfer := []exampleEdit{setTo("account_id", f.account), setTo("file_source_list.0.account.id", f.account),
		setTo("file_source_list.0.server.host_id_list", hosts), setTo("target_server.host_id_list", hosts)}
	noCMDB := func(server string) []exampleEdit {
		return []exampleEdit{dropKey(server + ".dynamic_group_list"), dropKey(server + ".topo_node_list")}
	}
	detailServer := func(at string) map[string]string {
		return map[string]string{at + ".variable": whyNoVariable, at + ".topo_node_list[]": whyNoCMDB, at + ".dynamic_group_list[]": whyNoCMDB}
	}
	credentials := []exampleEdit{setTo("bk_app_code", "e2e-app"), setTo("bk_app_secret", f.secret)}
	now := time.Now()

	rows := append([]exampleRow{
		{endpoint: "fast_execute_script", what: "example refused: CMDB dynamic groups",
			edits: slices.Concat(script, []exampleEdit{setTo("script_version_id", f.version)}), refused: 1241011, field: "target_server.dynamic_group_list"},
		{endpoint: "fast_execute_script", what: "example with an online version of business 1, without CMDB targets",
			edits: slices.Concat(script, []exampleEdit{setTo("script_version_id", f.version)}, noCMDB("target_server"))},
		{endpoint: "fast_execute_script", what: "example without script_version_id (its script_content) and CMDB targets",
			edits: slices.Concat(script, []exampleEdit{dropKey("script_version_id")}, noCMDB("target_server"))},
		{endpoint: "fast_transfer_file", what: "example refused: CMDB dynamic groups",
			edits: transfer, refused: 1241011, field: "target_server.dynamic_group_list"},
		{endpoint: "fast_transfer_file", what: "example without REGEX: paths, third-party sources and CMDB targets",
			edits: slices.Concat(transfer, []exampleEdit{keepFirst("file_source_list", 1), setTo("file_source_list.0.file_list", []string{f.srcFile}),
				setTo("file_target_path", dst)}, noCMDB("target_server"), noCMDB("file_source_list.0.server"))},
		{endpoint: "push_config_file", what: "example refused: CMDB dynamic groups",
			edits: []exampleEdit{setTo("target_server.host_id_list", hosts)}, refused: 1241011, field: "target_server.dynamic_group_list"},
		{endpoint: "push_config_file", what: "example without CMDB targets",
			edits: slices.Concat([]exampleEdit{setTo("target_server.host_id_list", hosts), setTo("file_target_path", dst)}, noCMDB("target_server"))},
		{endpoint: "get_job_instance_status", what: "finished job",
			edits: []exampleEdit{setTo("job_instance_id", f.script.JobInstanceID)}},
		{endpoint: "get_job_instance_status", what: "running job (before operate_job_instance's row stops it)",
			edits: []exampleEdit{setTo("job_instance_id", f.running.JobInstanceID)},
			omitted: map[string]string{
				"job_instance.end_time":           whyRunning,
				"job_instance.total_time":         whyRunning,
				"step_instance_list[].end_time":   whyRunning,
				"step_instance_list[].total_time": whyRunning,
			}},
		{endpoint: "get_step_instance_status", what: "finished step", edits: ids(f.script)},
		{endpoint: "get_step_instance_detail", what: "script step", edits: ids(f.script),
			omitted: merge(map[string]string{
				"file_info":                     "a script step has no file_info",
				"approval_info":                 whyNoApproval,
				"script_info.script_id":         "a script typed in has no stored script",
				"script_info.script_version_id": "a script typed in has no stored script version",
			}, detailServer("script_info.server"))},
		{endpoint: "get_step_instance_detail", what: "file step", edits: ids(f.file),
			omitted: merge(map[string]string{
				"script_info":   "a file step has no script_info",
				"approval_info": whyNoApproval,
				"file_info.file_source_list[].file_source_id": "a server file source has no file source id (third-party sources, issue 14)",
			}, detailServer("file_info.file_source_list[].server"), detailServer("file_info.file_destination.server"))},
		{endpoint: "get_job_instance_list", what: "example verbatim: no job in its 2019 window",
			omitted: map[string]string{"data[]": "the example's window (2019), launch_mode 1 (web) and type 0 (plan jobs) match no job here"}},
		{endpoint: "get_job_instance_list", what: "example filters set to the fixture's job",
			edits: []exampleEdit{setTo("create_time_start", now.Add(-time.Hour).UnixMilli()), setTo("create_time_end", now.Add(time.Hour).UnixMilli()),
				setTo("launch_mode", 2), setTo("type", 1)},
			omitted: map[string]string{
				"data[].job_template_id": "a fast job has no job template (templates and plans, issue 11)",
				"data[].job_plan_id":     "a fast job has no job plan (templates and plans, issue 11)",
			}},
		{endpoint: "get_job_instance_global_var_value", what: "fast job",
			edits:   []exampleEdit{setTo("job_instance_id", f.script.JobInstanceID)},
			omitted: map[string]string{"step_instance_var_list[].global_var_list[]": "a fast job has no global variables (they come with job plans, issue 11)"}},
		{endpoint: "operate_job_instance", what: "terminate a running job",
			edits: []exampleEdit{setTo("job_instance_id", f.running.JobInstanceID)}},
		{endpoint: "operate_step_instance", what: "retry the failed hosts of a failed step", edits: ids(f.failed)},
		{endpoint: "get_job_instance_ip_log", what: "script step", edits: ids(f.script),
			omitted: map[string]string{"file_logs": "a script step has no file logs"}},
		{endpoint: "get_job_instance_ip_log", what: "file step", edits: ids(f.file),
			omitted: map[string]string{
				"log_content":           "a file step's log is per file, in file_logs",
				"file_logs[].dest_ip":   whyUploadNoDest,
				"file_logs[].dest_path": whyUploadNoDest,
			}},
		{endpoint: "batch_get_job_instance_ip_log", what: "script step",
			edits:   slices.Concat(ids(f.script), []exampleEdit{setTo("host_id_list", hosts)}),
			omitted: map[string]string{"file_task_logs": "a script step has no file logs"}},
		{endpoint: "batch_get_job_instance_ip_log", what: "file step",
			edits: slices.Concat(ids(f.file), []exampleEdit{setTo("host_id_list", hosts)}),
			omitted: map[string]string{
				"script_task_logs":                       "a file step has no script output",
				"file_task_logs[].file_logs[].dest_ip":   whyUploadNoDest,
				"file_task_logs[].file_logs[].dest_path": whyUploadNoDest,
			}},
		{endpoint: "query_agent_info", what: "the built-in agent",
			edits: []exampleEdit{setTo("host_id_list", hosts)}},
	}, accountRows()...)
	rows = append(rows, []exampleRow{
		{endpoint: "create_credential", what: "ESB example", esb: true, edits: credentials,
			after: func(t *testing.T, data json.RawMessage) {
				var ref struct {
					ID string `json:"id"`
				}
				require.NoError(t, json.Unmarshal(data, &ref))
				f.created = ref.ID
			}},
		{endpoint: "update_credential", what: "ESB example on the credential create_credential's example made", esb: true,
			late: func(t *testing.T) []exampleEdit {
				require.NotEmpty(t, f.created, "create_credential's row made no credential")
				return slices.Concat(credentials, []exampleEdit{setTo("id", f.created)})
			}},
		{endpoint: "get_credential_detail", what: "a credential of business 2",
			edits: []exampleEdit{setTo("id", f.biz2Credential)}},
	}...)
	return slices.Concat(rows, dangerRows(f, credentials), scriptRows(credentials))
}

// dangerRows are the high-risk rule endpoints' rows, in the order that
// makes each example's rule exist: created, updated, enabled, disabled,
// listed, deleted. Their docs are the ESB's (credentials in the body).
func dangerRows(f *exampleFixture, credentials []exampleEdit) []exampleRow {
	rule := func(t *testing.T) []exampleEdit {
		require.Positive(t, f.rule, "create_dangerous_rule's row made no rule")
		return slices.Concat(credentials, []exampleEdit{setTo("id", f.rule)})
	}
	return []exampleRow{
		{endpoint: "check_script", what: "ESB example in business 1 (bk-job's check_script is a business's: the doc's example names none)", esb: true,
			edits: slices.Concat(credentials, []exampleEdit{addKey("bk_scope_type", "biz"), addKey("bk_scope_id", "1")})},
		{endpoint: "create_dangerous_rule", what: "ESB example", esb: true, edits: credentials,
			after: func(t *testing.T, data json.RawMessage) {
				var r struct {
					ID int64 `json:"id"`
				}
				require.NoError(t, json.Unmarshal(data, &r))
				f.rule = r.ID
			}},
		{endpoint: "update_dangerous_rule", what: "ESB example on the rule just made", esb: true, late: rule},
		{endpoint: "enable_dangerous_rule", what: "ESB example", esb: true, late: rule},
		{endpoint: "disable_dangerous_rule", what: "ESB example", esb: true, late: rule},
		{endpoint: "get_dangerous_rule_list", what: "ESB example (shell, intercept)", esb: true, edits: credentials},
		{endpoint: "delete_dangerous_rule", what: "ESB example", esb: true, late: rule},
	}
}

// merge returns the union of maps (a later map's value wins).
func merge[V any](ms ...map[string]V) map[string]V {
	out := map[string]V{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

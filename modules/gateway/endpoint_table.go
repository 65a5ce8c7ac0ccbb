package gateway

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bkjob/bkjob/platform/api"
)

// bkjobV4APIs are bk-job's v4 endpoints (the reference's v4_endpoints and
// the ones bkjob.md §4.3 names without documenting).
func bkjobV4APIs() []string {
	return []string{
		"v4_fast_execute_script", "v4_get_job_instance_list", "v4_get_job_instance_status",
		"v4_batch_get_job_instance_execute_object_log", "create_job_plan", "get_job_template_detail",
	}
}

// plannedIssue is the issue that builds a bk-job endpoint bkjob does not
// serve yet.
func plannedIssue(name string) int {
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(name, p) {
				return true
			}
		}
		return false
	}
	switch {
	case name == "get_script_task_context" || strings.HasPrefix(name, "v4_") || strings.HasPrefix(name, "bkci_plugin_"):
		return 12
	case has("script", "dangerous_rule", "account", "fast_execute_sql"):
		return 10
	case has("job_template", "job_plan"):
		return 11
	case has("cron", "notify"):
		return 13
	case has("file_source", "upload_url"):
		return 14
	}
	return 12
}

// EndpointTable is docs/api.md's endpoint table: one row per bk-job v3 and
// v4 endpoint and per bkjob extension, with what bkjob serves of it, built
// from the modules' declarations so it cannot drift from the code.
func EndpointTable(decls []api.Method) string {
	byName := map[string]api.Method{}
	for _, d := range decls {
		if d.V3 != "" {
			byName[d.V3] = d
		}
	}
	var b strings.Builder
	b.WriteString("| endpoint | bk-job service | bkjob | methods | web API |\n|---|---|---|---|---|\n")
	for _, g := range bkjobAPIs() {
		names := append([]string(nil), g.names...)
		sort.Strings(names)
		for _, n := range names {
			b.WriteString(endpointRow(n, g.service, byName))
		}
	}
	for _, n := range bkjobV4APIs() {
		fmt.Fprintf(&b, "| `%s` (v4) | | not yet (issue %d) | | |\n", n, plannedIssue(n))
	}
	var ext []string
	for n, d := range byName {
		if d.Extension {
			ext = append(ext, n)
		}
	}
	sort.Strings(ext)
	for _, n := range ext {
		b.WriteString(endpointRow(n, "", byName))
	}
	return b.String()
}

func endpointRow(name, service string, byName map[string]api.Method) string {
	d, ok := byName[name]
	if !ok {
		return fmt.Sprintf("| `%s` | %s | not yet (issue %d) | | |\n", name, service, plannedIssue(name))
	}
	state := "served"
	switch {
	case d.Extension:
		state = "bkjob extension"
	case d.Partly != "":
		state = "partly: refuses " + d.Partly
	}
	methods := "GET, POST"
	if d.PostOnly {
		methods = "POST"
	}
	if d.Admin {
		methods += " (administrators)"
	}
	web := ""
	if d.Web != "" {
		web = "`/api/web/" + d.Web + "`"
	}
	return fmt.Sprintf("| `%s` | %s | %s | %s | %s |\n", name, service, state, methods, web)
}

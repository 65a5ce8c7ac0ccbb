package gateway

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// bk-job's services, as they name the backend paths
// /api/job/v3/<service>/<name> its API gateway forwards to.
const (
	svcExecute     = "job-execute"
	svcManage      = "job-manage"
	svcCrontab     = "job-crontab"
	svcFileGateway = "job-file-gateway"
)

// bkjobServices lists bk-job's services for messages.
func bkjobServices() string {
	return strings.Join([]string{svcExecute, svcManage, svcCrontab, svcFileGateway}, ", ")
}

// bkjobAPIs lists bk-job's OpenAPI v3 endpoints by the service that owns
// them (api_gateway.backend_path in bk-job's reference, the gateway
// resources without docs included). Every one of them has a system resource
// (/api/v3/system/<name>); bkjob serves some and answers the others with
// 1241011. bkjob's own extensions (rolling_preview, list_agents, …) are not
// bk-job's: they are served at /api/v3/<name> only.
func bkjobAPIs() []struct {
	service string
	names   []string
} {
	return []struct {
		service string
		names   []string
	}{
		{svcExecute, []string{
			"fast_execute_script", "fast_execute_sql", "fast_transfer_file", "push_config_file",
			"execute_job_plan", "operate_job_instance", "operate_step_instance", "get_job_instance_status",
			"get_job_instance_ip_log", "batch_get_job_instance_ip_log", "get_job_instance_list",
			"get_job_instance_global_var_value", "get_step_instance_detail", "get_step_instance_status",
			"bkci_plugin_fast_execute_script", "bkci_plugin_fast_transfer_file",
			"bkci_plugin_get_job_instance_status", "bkci_plugin_batch_get_job_instance_execute_object_log",
			"query_gse_task", "query_job_instance",
		}},
		{svcManage, []string{
			"get_job_template_list", "get_job_plan_list", "get_job_plan_detail", "get_account_list",
			"create_account", "update_account", "delete_account",
			"get_account_password_encryption_metadata", "get_script_list", "get_script_version_list",
			"get_script_version_detail", "create_script", "create_script_version", "update_script_basic",
			"update_script_version", "publish_script_version", "disable_script_version",
			"delete_script_version", "delete_script", "get_public_script_list",
			"get_public_script_version_list", "get_public_script_version_detail", "create_public_script",
			"create_public_script_version", "update_public_script_basic", "update_public_script_version",
			"publish_public_script_version", "disable_public_script_version",
			"delete_public_script_version", "delete_public_script", "check_script", "create_dangerous_rule",
			"update_dangerous_rule", "delete_dangerous_rule", "get_dangerous_rule_list",
			"enable_dangerous_rule", "disable_dangerous_rule", "create_credential", "update_credential",
			"get_credential_detail", "generate_local_file_upload_url", "get_notify_config",
			"query_agent_info", "get_latest_service_version",
		}},
		{svcCrontab, []string{
			"get_cron_list", "get_cron_detail", "save_cron", "update_cron_status", "delete_cron",
		}},
		{svcFileGateway, []string{
			"create_file_source", "update_file_source", "get_file_source_detail",
		}},
	}
}

// bkjobService returns the bk-job service that owns the v3 endpoint name,
// or "" when bk-job has no such endpoint.
func bkjobService(name string) string {
	for _, g := range bkjobAPIs() {
		if slices.Contains(g.names, name) {
			return g.service
		}
	}
	return ""
}

// v3NotFound answers a v3 name no module serves (the v3 group's not-found
// route, behind apiAuth): a bk-job endpoint bkjob has not built yet is
// 1241011 (NOT_SUPPORT_FEATURE) naming it, any other name 1239003
// (API_UNSUPPORTED).
func v3NotFound(c echo.Context) error {
	name := strings.Trim(strings.TrimPrefix(c.Request().URL.Path, "/api/v3/"), "/")
	if svc := bkjobService(name); svc != "" {
		return httpx.V3Error(c, errs.ErrNotImplemented.Withf("bk-job API %s (%s) is not supported by bkjob yet", name, svc))
	}
	return httpx.V3NotFound(c)
}

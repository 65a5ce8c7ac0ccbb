package execute

// V3JobEndpoints are the v3 endpoints (under the gateway's /api/v3) whose
// bodies carry script content, config files or long target lists: the
// server gives them http.max_job_body_bytes instead of the small default.
func V3JobEndpoints() []string {
	return []string{"fast_execute_script", "push_config_file", "fast_transfer_file"}
}

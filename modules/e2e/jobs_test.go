package e2e

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// created is what the create calls return.
type created struct {
	JobInstanceID  int64 `json:"job_instance_id"`
	StepInstanceID int64 `json:"step_instance_id"`
}

// hostResult is one host of get_job_instance_status.
type hostResult struct {
	HostID    int64  `json:"bk_host_id"`
	IP        string `json:"ip"`
	CloudID   int64  `json:"bk_cloud_id"`
	Status    int    `json:"status"`
	Tag       string `json:"tag"`
	ExitCode  int    `json:"exit_code"`
	ErrorCode int    `json:"error_code"`
}

// jobStatus is get_job_instance_status's data.
type jobStatus struct {
	Finished    bool `json:"finished"`
	JobInstance struct {
		ID     int64 `json:"job_instance_id"`
		Status int   `json:"status"`
	} `json:"job_instance"`
	Steps []struct {
		ID           int64        `json:"step_instance_id"`
		Status       int          `json:"status"`
		ExecuteCount int          `json:"execute_count"`
		Hosts        []hostResult `json:"step_ip_result_list"`
	} `json:"step_instance_list"`
}

// host returns the result of ip in the job's first step.
func (j jobStatus) host(t *testing.T, ip string) hostResult {
	t.Helper()
	h, ok := j.find(ip)
	require.True(t, ok, "%s not among %+v", ip, j.Steps)
	return h
}

// find is host without failing the test.
func (j jobStatus) find(ip string) (hostResult, bool) {
	if len(j.Steps) == 0 {
		return hostResult{}, false
	}
	for _, h := range j.Steps[0].Hosts {
		if h.IP == ip {
			return h, true
		}
	}
	return hostResult{}, false
}

// Bk-job run statuses (task and step) used by the tests.
const (
	runRunning     = 2
	runSuccess     = 3
	runFail        = 4
	runIgnoreError = 6
	runStopSuccess = 11
)

// Host statuses used by the tests.
const (
	hostAgentError       = 1
	hostSuccess          = 9
	hostScriptTimeout    = 102
	hostScriptTerminated = 103
	hostNonZeroExit      = 104
	hostTerminated       = 403
)

func (c *Cluster) jobStatus(t *testing.T, job int64) jobStatus {
	t.Helper()
	var st jobStatus
	c.v3Into(t, "get_job_instance_status", scope(map[string]any{"job_instance_id": job, "return_ip_result": true}), &st)
	return st
}

// waitJob waits for the job to finish and returns its final status.
func (c *Cluster) waitJob(t *testing.T, job int64, within time.Duration) jobStatus {
	t.Helper()
	return c.waitFor(t, job, "finished", within, func(st jobStatus) bool { return st.Finished })
}

// waitFor waits until cond holds for the job's status and returns it.
func (c *Cluster) waitFor(t *testing.T, job int64, what string, within time.Duration, cond func(jobStatus) bool) jobStatus {
	t.Helper()
	var st jobStatus
	poll(t, within, fmt.Sprintf("job %d never %s", job, what), func() (bool, string) {
		var cur jobStatus
		if ok, why := c.try("get_job_instance_status", scope(map[string]any{"job_instance_id": job, "return_ip_result": true}), &cur); !ok {
			return false, why
		}
		if len(cur.Steps) == 0 || !cond(cur) {
			return false, fmt.Sprintf("%+v", cur)
		}
		st = cur
		return true, ""
	})
	return st
}

// hostLog is a host's script log (the step's latest execute count).
func (c *Cluster) hostLog(t *testing.T, job created, ip string) string {
	t.Helper()
	var out struct {
		LogContent string `json:"log_content"`
	}
	c.v3Into(t, "get_job_instance_ip_log", logBody(job, ip), &out)
	return out.LogContent
}

func logBody(job created, ip string) map[string]any {
	return scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "bk_cloud_id": 0, "ip": ip,
	})
}

// waitLog waits until a host's log contains want and returns the log.
// Errors are polled through: until its step starts, a host is reported as
// "not a target" (see TestEngine/LogOfHostNotStartedYet).
func (c *Cluster) waitLog(t *testing.T, job created, ip, want string, within time.Duration) string {
	t.Helper()
	var got string
	poll(t, within, fmt.Sprintf("log of %s never showed %q", ip, want), func() (bool, string) {
		var out struct {
			LogContent string `json:"log_content"`
		}
		if ok, why := c.try("get_job_instance_ip_log", logBody(job, ip), &out); !ok {
			return false, why
		}
		if !strings.Contains(out.LogContent, want) {
			return false, fmt.Sprintf("%q", out.LogContent)
		}
		got = out.LogContent
		return true, ""
	})
	return got
}

// jobCount is how many job instances the default business has.
func (c *Cluster) jobCount(t *testing.T) int {
	t.Helper()
	var page struct {
		Total int `json:"total"`
	}
	now := time.Now().UnixMilli()
	c.v3Into(t, "get_job_instance_list", scope(map[string]any{
		"create_time_start": now - 24*3600*1000, "create_time_end": now + 3600*1000, "length": 1,
	}), &page)
	return page.Total
}

// ipList is the API's ip_list for hosts.
func ipList(hosts ...target) []map[string]any {
	out := make([]map[string]any, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, map[string]any{"bk_cloud_id": 0, "ip": h.ip()})
	}
	return out
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// scriptBody is a fast_execute_script request for a shell script run as
// root on hosts; extra adds or overrides fields.
func scriptBody(script string, hosts []target, extra map[string]any) map[string]any {
	body := scope(map[string]any{
		"script_content":  b64(script),
		"script_language": 1,
		"account_alias":   "root",
		"timeout":         120,
		"target_server":   map[string]any{"ip_list": ipList(hosts...)},
	})
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// runScript starts a fast script on hosts.
func (c *Cluster) runScript(t *testing.T, script string, hosts []target, extra map[string]any) created {
	t.Helper()
	var job created
	c.v3Into(t, "fast_execute_script", scriptBody(script, hosts, extra), &job)
	require.Positive(t, job.JobInstanceID)
	require.Positive(t, job.StepInstanceID)
	return job
}

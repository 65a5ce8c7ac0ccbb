package config

import "fmt"

// Execute tunes the execute engine.
type Execute struct {
	RunningJobQuota RunningJobQuota `koanf:"running_job_quota"`
}

// RunningJobQuota bounds the jobs that may be unfinished at once (bk-job's
// running-job quota, off by default as there): in the whole system
// (Capacity), per scope (business or business set, ScopeLimit) and per API
// app code (AppLimit). A job over any of them is refused when created, with
// HTTP 429 and bk-job's 1244032 / 1244034 / 1244033. ScopeLimit and
// AppLimit 0 mean bk-job's default, 20% of Capacity (at least 1).
type RunningJobQuota struct {
	Enabled    bool `koanf:"enabled"`
	Capacity   int  `koanf:"capacity"`
	ScopeLimit int  `koanf:"scope_limit"`
	AppLimit   int  `koanf:"app_limit"`
}

// defaultQuotaPercent is the share of the capacity one scope or one app
// may use when its limit is not set, as bk-job's default.
const defaultQuotaPercent = 20

// Limits returns the effective limits: the capacity, and the per-scope and
// per-app limits with 0 replaced by 20% of the capacity (at least 1).
func (q RunningJobQuota) Limits() (capacity, scope, app int) {
	share := func(v int) int {
		if v > 0 {
			return v
		}
		return max(1, q.Capacity*defaultQuotaPercent/100)
	}
	return q.Capacity, share(q.ScopeLimit), share(q.AppLimit)
}

// validateExecute checks the running-job quota, enabled or not, so a bad
// value is found before someone turns it on.
func (c *Config) validateExecute() error {
	q := c.Execute.RunningJobQuota
	if err := atLeast("execute.running_job_quota.capacity", q.Capacity, 1); err != nil {
		return err
	}
	for _, l := range []struct {
		key string
		v   int
	}{{"execute.running_job_quota.scope_limit", q.ScopeLimit}, {"execute.running_job_quota.app_limit", q.AppLimit}} {
		if l.v < 0 || l.v > q.Capacity {
			return &KeyError{Key: l.key, Reason: fmt.Sprintf("must be 0 (20%% of execute.running_job_quota.capacity) or 1..%d (the capacity), got %d", q.Capacity, l.v)}
		}
	}
	return nil
}

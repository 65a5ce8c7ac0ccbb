package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunningJobQuotaDefaultsAndValidation(t *testing.T) {
	cfg, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, RunningJobQuota{Enabled: false, Capacity: 10000}, cfg.Execute.RunningJobQuota, "off by default, bk-job's example capacity")
	c, s, a := cfg.Execute.RunningJobQuota.Limits()
	require.Equal(t, []int{10000, 2000, 2000}, []int{c, s, a}, "scope and app default to 20%% of the capacity")

	cfg, err = Load(Sources{Env: []string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__ENABLED=true", "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=3",
		"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__APP_LIMIT=3"}})
	require.NoError(t, err)
	q := cfg.Execute.RunningJobQuota
	require.True(t, q.Enabled)
	c, s, a = q.Limits()
	require.Equal(t, []int{3, 1, 3}, []int{c, s, a}, "20%% of 3 rounds down, but never to 0")

	tests := []struct {
		env     []string
		wantKey string
	}{
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=0"}, "execute.running_job_quota.capacity"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=-5"}, "execute.running_job_quota.capacity"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=many"}, "execute.running_job_quota.capacity"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__ENABLED=maybe"}, "execute.running_job_quota.enabled"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__SCOPE_LIMIT=-1"}, "execute.running_job_quota.scope_limit"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=10", "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__SCOPE_LIMIT=11"}, "execute.running_job_quota.scope_limit"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__APP_LIMIT=-1"}, "execute.running_job_quota.app_limit"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__APP_LIMIT=10001"}, "execute.running_job_quota.app_limit"},
		{[]string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__PERCENT=20"}, "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__PERCENT"},
	}
	for _, tt := range tests {
		t.Run(tt.wantKey+" "+tt.env[len(tt.env)-1], func(t *testing.T) {
			_, err := Load(Sources{Env: tt.env})
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, tt.wantKey, ke.Key, err.Error())
		})
	}
}

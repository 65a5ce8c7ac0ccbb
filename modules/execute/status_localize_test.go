package execute

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/i18n"
)

func TestStepInstanceStatusLocalized(t *testing.T) {
	cat, err := i18n.Load()
	require.NoError(t, err)
	answer := StepInstanceStatus{StepInstanceID: 7, StepResultGroupList: []ResultGroup{
		{ResultType: gse.HostStatusSuccess, HostSize: 1, HostResultList: []HostResult{{IP: "10.0.0.1", Status: gse.HostStatusSuccess}}},
		{ResultType: gse.HostStatusInvalid, HostSize: 1, HostResultList: []HostResult{}},
		{ResultType: 777, HostSize: 1, HostResultList: []HostResult{{IP: "10.0.0.3", Status: 777}}},
	}}
	tests := []struct {
		lang                 i18n.Lang
		success, invalid, na string
	}{
		{i18n.English, "Succeeded", "Invalid host", "Unknown status"},
		{i18n.Chinese, "执行成功", "无效主机", "未知状态"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			got, ok := answer.Localized(cat.In(tt.lang)).(StepInstanceStatus)
			require.True(t, ok)
			require.Equal(t, int64(7), got.StepInstanceID)
			g := got.StepResultGroupList
			require.Len(t, g, 3)
			require.Equal(t, tt.success, g[0].ResultTypeDesc)
			require.Equal(t, tt.success, g[0].HostResultList[0].StatusDesc)
			require.Equal(t, tt.invalid, g[1].ResultTypeDesc)
			require.NotNil(t, g[1].HostResultList, "an empty list stays [] in the JSON")
			require.Equal(t, tt.na, g[2].ResultTypeDesc, "a code the catalogue does not name")
			require.Equal(t, tt.na, g[2].HostResultList[0].StatusDesc)
		})
	}
	require.Empty(t, answer.StepResultGroupList[0].ResultTypeDesc, "the engine's answer is left as it was")
	require.Empty(t, answer.StepResultGroupList[0].HostResultList[0].StatusDesc)

	empty, ok := StepInstanceStatus{StepResultGroupList: []ResultGroup{}}.Localized(cat.In(i18n.English)).(StepInstanceStatus)
	require.True(t, ok)
	require.NotNil(t, empty.StepResultGroupList, "step_result_group_list stays [] (bk-job never answers null)")
}

// TestHostStatusDescEveryStatus: every host status the engine sets has its
// own name in every language (not the unknown fallback).
func TestHostStatusDescEveryStatus(t *testing.T) {
	cat, err := i18n.Load()
	require.NoError(t, err)
	all := []int{gse.HostStatusUnknownError, gse.HostStatusAgentError, gse.HostStatusInvalid, gse.HostStatusLastSuccess,
		gse.HostStatusWaiting, gse.HostStatusRunning, gse.HostStatusSuccess, gse.HostStatusFailed, gse.HostStatusSubmitFailed,
		gse.HostStatusTaskTimeout, gse.HostStatusLogError, gse.HostStatusGSEScriptTimeout, gse.HostStatusGSEFileTimeout,
		gse.HostStatusAgentNotInstalled, gse.HostStatusScriptFailed, gse.HostStatusScriptTimeout, gse.HostStatusScriptTerminate,
		gse.HostStatusScriptNonZeroExit, gse.HostStatusCopyFileFailed, gse.HostStatusSourceNotExist, gse.HostStatusFileError,
		gse.HostStatusGSETimeout, gse.HostStatusGSEAgentError, gse.HostStatusGSEUserError, gse.HostStatusGSEUserPwdError,
		gse.HostStatusGSEFileError, gse.HostStatusGSEFileSizeExceed, gse.HostStatusGSEFileTaskError, gse.HostStatusGSETaskError,
		gse.HostStatusTerminateSuccess, gse.HostStatusTerminateFailed}
	for _, l := range i18n.Languages() {
		tr := cat.In(l)
		unknown := HostStatusDesc(tr, gse.HostStatusUnknown)
		for _, s := range all {
			d := HostStatusDesc(tr, s)
			require.NotEmpty(t, d)
			require.NotEqual(t, unknown, d, "%s: status %d has no name of its own", l, s)
		}
	}
}

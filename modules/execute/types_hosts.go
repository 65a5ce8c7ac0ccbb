package execute

import "github.com/bkjob/bkjob/platform/i18n"

// Paging limits of list_step_instance_hosts: a page is what a screen of
// the task page shows, never a whole 10,000-host step.
const (
	DefaultStepHostPage = 100
	MaxStepHostPage     = 500
)

// ListStepInstanceHostsRequest is list_step_instance_hosts (a bkjob
// extension): one page of one result group's hosts, with the filters of
// get_step_instance_status. Nil pointers mean "not given".
type ListStepInstanceHostsRequest struct {
	StepRef
	ExecuteCount *int   `json:"execute_count,omitempty"`
	Batch        *int   `json:"batch,omitempty"` // 0 or nil: every batch
	Keyword      string `json:"keyword,omitempty"`
	SearchIP     string `json:"search_ip,omitempty"`
	// Status and Tag name the result group (result_type, tag). A nil Tag
	// is every tag; "" is the group without a tag. Both nil: every host.
	Status *int    `json:"status,omitempty"`
	Tag    *string `json:"tag,omitempty"`
	Start  int     `json:"start,omitempty"`
	Length *int    `json:"length,omitempty"` // 1..500, default 100
}

// StepHostPage is list_step_instance_hosts's data (bk-job's page shape):
// hosts in the order of get_step_instance_status's groups, then by
// address, then by host id, so pages never overlap or skip.
type StepHostPage struct {
	Start  int          `json:"start"`
	Length int          `json:"length"`
	Total  int          `json:"total"`
	Data   []HostResult `json:"data"`
}

// Localized fills status_desc in t's language (see StepInstanceStatus).
func (p StepHostPage) Localized(t i18n.Translator) any {
	hosts := make([]HostResult, len(p.Data))
	for i, h := range p.Data {
		h.StatusDesc = HostStatusDesc(t, h.Status)
		hosts[i] = h
	}
	p.Data = hosts
	return p
}

var _ i18n.Localizer = StepHostPage{}

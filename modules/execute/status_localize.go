package execute

import "github.com/bkjob/bkjob/platform/i18n"

// Localized fills the status descriptions (result_type_desc, status_desc)
// in t's language. The engine answers status numbers only, since it does
// not know who asks; the v3 door, which resolved the caller's language,
// calls this (httpx.V3OK). The lists are copied, so the answer the engine
// returned is left as it was.
func (s StepInstanceStatus) Localized(t i18n.Translator) any {
	groups := make([]ResultGroup, len(s.StepResultGroupList))
	for i, g := range s.StepResultGroupList {
		g.ResultTypeDesc = HostStatusDesc(t, g.ResultType)
		hosts := make([]HostResult, len(g.HostResultList))
		for j, h := range g.HostResultList {
			h.StatusDesc = HostStatusDesc(t, h.Status)
			hosts[j] = h
		}
		g.HostResultList = hosts
		groups[i] = g
	}
	s.StepResultGroupList = groups
	return s
}

var _ i18n.Localizer = StepInstanceStatus{}

package manage

import "github.com/bkjob/bkjob/platform/api"

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateDangerousRuleRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateDangerousRuleRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *DangerousRuleRef) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *MoveDangerousRuleRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

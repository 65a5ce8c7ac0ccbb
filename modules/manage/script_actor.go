package manage

import "github.com/bkjob/bkjob/platform/api"

// The script library's writes record who made them (the door calls these).

// TakeActor records the caller as the operator.
func (r *CreateScriptRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *CreateScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *UpdateScriptBasicRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *UpdateScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *ScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *DeleteScriptRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *CreatePublicScriptRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *CreatePublicScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *UpdatePublicScriptBasicRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *UpdatePublicScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *PublicScriptVersionRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator.
func (r *DeletePublicScriptRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

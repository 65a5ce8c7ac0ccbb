package manage

import "github.com/bkjob/bkjob/platform/api"

// operatorOf is who a request acts as: the user, or the app when it acts
// for nobody.
func operatorOf(username, appCode string) string {
	if username != "" {
		return username
	}
	return appCode
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateCredentialRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateCredentialRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateAgentlessHostRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *RevokeAgentRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *RegisterGSEHostsRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *DeleteCredentialRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CheckAgentlessHostRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

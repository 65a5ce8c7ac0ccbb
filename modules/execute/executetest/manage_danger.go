package executetest

import (
	"context"

	"github.com/bkjob/bkjob/modules/manage"
)

// SetScriptCheck makes CheckScriptRun answer with fn (nil: every script
// passes, as with no dangerous rule).
func (m *Manage) SetScriptCheck(fn func(manage.ScriptRunCheck) (manage.ScriptRunVerdict, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scriptCheck = fn
}

// ScriptChecks returns the scripts CheckScriptRun was asked about.
func (m *Manage) ScriptChecks() []manage.ScriptRunCheck {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]manage.ScriptRunCheck(nil), m.checked...)
}

// CheckScriptRun implements manage.Service.
func (m *Manage) CheckScriptRun(_ context.Context, req manage.ScriptRunCheck) (manage.ScriptRunVerdict, error) {
	m.mu.Lock()
	m.checked = append(m.checked, req)
	fn := m.scriptCheck
	m.mu.Unlock()
	if fn == nil {
		return manage.ScriptRunVerdict{}, nil
	}
	return fn(req)
}

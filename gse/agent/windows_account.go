package agent

import "strings"

// sameWindowsAccount compares a task's account with the agent's own
// DOMAIN\name, case-insensitively, the domain optional on the task's side.
// Kept free of build tags so it is tested on every platform.
func sameWindowsAccount(asked, self string) bool {
	if strings.EqualFold(asked, self) {
		return true
	}
	_, short, found := strings.Cut(self, `\`)
	return found && !strings.Contains(asked, `\`) && strings.EqualFold(asked, short)
}

// Package e2e holds end-to-end tests: they build the bkjob binary once,
// start it (and agents, and sshd) as real processes and drive the API.
package e2e

// Package testenv gives tests that need a real backend (MySQL, Redis,
// RabbitMQ, MongoDB, S3) its address from the environment: the test skips
// when the variable is unset and it is run by hand, and fails when CI=true,
// so CI never silently skips a real-backend test.
package testenv

import (
	"os"
	"testing"
)

// Require returns the value of the environment variable name. When it is
// empty the test fails (CI=true) or is skipped (otherwise).
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI=true requires this real-backend test to run (source .services/env after bash testdata/services/up.sh)", name)
		return ""
	}
	t.Skipf("%s is not set: skipping real-backend test (set it, or run bash testdata/services/up.sh and source .services/env)", name)
	return ""
}
